// Renders the API's own OpenAPI document (the one GET /api/v1/openapi.json serves) with Swagger UI.
window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#reference",
  deepLinking: true,
  displayOperationId: true,
  defaultModelsExpandDepth: 0,
  // Offline: no badge fetched from validator.swagger.io.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
