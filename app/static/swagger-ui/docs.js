// Starts Swagger UI on /docs from the vendored bundle (no CDN; no inline script, for the strict CSP).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
});
