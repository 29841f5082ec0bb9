import { z } from "zod";
import { defineHttp } from "./http/defineHttp.js";
import { buildOpenApiDocument, type OpenApiDocument } from "./http/openApi.js";

/** Loose on purpose: the document's own shape is OpenAPI 3.1's, checked by the OpenAPI test, not here. */
const OpenApiDocumentSchema = z
  .looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "OpenApiDocument", description: "An OpenAPI 3.1 document." });

let document: Promise<OpenApiDocument> | undefined;

/**
 * Built at the first request, from the same table of definitions the host serves (this one included).
 * The table is imported when the document is first built, not at load: functions/index.ts imports this
 * file, and a static import back would read the table before it exists.
 */
function openApiDocument(): Promise<OpenApiDocument> {
  document ??= import("./index.js")
    .then(({ httpFunctions }) => buildOpenApiDocument(httpFunctions))
    .catch((error: unknown) => {
      document = undefined;
      throw error;
    });
  return document;
}

export const getOpenApiDocument = defineHttp({
  name: "getOpenApiDocument",
  method: "GET",
  route: "v1/openapi.json",
  auth: "anonymous",
  summary: "This API's OpenAPI 3.1 document (the same as docs/openapi.json).",
  tags: ["Meta"],
  success: { status: 200, description: "The OpenAPI document.", schema: OpenApiDocumentSchema },
  errors: [],
  // OpenAPIObject's interfaces lack the index signatures of the loose schema's output type; same shape.
  handler: () => openApiDocument() as Promise<z.output<typeof OpenApiDocumentSchema>>,
});
