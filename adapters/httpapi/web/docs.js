// Shows the API reference (the vendored Scalar renderer) for the OpenAPI document this
// server serves. The document is fetched here, with the docs cookie or the key, so a
// page opened with ?api_key= works without a login, and a 401 goes to the login page.
// The key also fills in "try it": the one from the login, or ?api_key=.
(function () {
  'use strict';
  var urlKey = new URLSearchParams(location.search).get('api_key');
  if (urlKey) sessionStorage.setItem('warestApiKey', urlKey);
  var key = sessionStorage.getItem('warestApiKey') || '';

  var headers = { 'Accept': 'application/json' };
  if (key) headers['X-WAREST-API-KEY'] = key;
  fetch('/docs/openapi.json', { credentials: 'same-origin', headers: headers }).then(function (res) {
    if (res.status === 401) {
      location.assign('/login?next=' + encodeURIComponent(location.pathname));
      throw new Error('login required');
    }
    if (!res.ok) throw new Error('/docs/openapi.json: HTTP ' + res.status);
    return res.json();
  }).then(function (spec) {
    Scalar.createApiReference('#app', {
      content: spec,
      authentication: { preferredSecurityScheme: 'ApiKeyAuth', securitySchemes: { ApiKeyAuth: { value: key } } },
      // Nothing leaves this server: no web fonts, proxy, telemetry or AI agent.
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      showDeveloperTools: 'never',
      metaData: { title: 'WAREST API reference' }
    });
  }).catch(function (e) {
    var status = document.getElementById('status');
    if (status) status.textContent = e.message;
  });
})();
