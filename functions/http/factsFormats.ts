import { FactsExport, type FactsExportQuery } from "../../shared/schemas/analytics.js";
import { factsToCsv, factsToJsonLines } from "../../shared/analytics/factsExport.js";

/** The facts export's other representations: JSON lines and CSV, with the next cursor in a header. */
export const factsAlternatives = {
  "application/jsonl": { description: "One ConversationFactsRecord per line (`format=jsonl`); the next cursor is in `WebCTI-Next-Cursor`." },
  "text/csv": {
    description:
      "A header line, then one record per line (`format=csv`, RFC 4180); the next cursor is in `WebCTI-Next-Cursor`. Text cells that start with = + - @ tab or CR get a leading ' (never a formula); the …Ms columns are numbers.",
  },
};

export function renderFacts(result: FactsExport, query: FactsExportQuery) {
  if (query.format === "json") return undefined;
  const headers = { "webcti-next-cursor": result.nextCursor };
  return query.format === "csv"
    ? { contentType: "text/csv; charset=utf-8", body: factsToCsv(result.records), headers }
    : { contentType: "application/jsonl; charset=utf-8", body: factsToJsonLines(result.records), headers };
}

/** The success of both export routes (partner and supervisor): JSON, or the alternatives above. */
export const factsExportSuccess = {
  status: 200 as const,
  description: "Records computed since the cursor (or `since`), oldest first, and the cursor to continue.",
  schema: FactsExport,
  alternatives: factsAlternatives,
};
