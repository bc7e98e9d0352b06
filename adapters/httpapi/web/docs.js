// A small OpenAPI browser: operations grouped by tag, their parameters, and a
// "try it" form. Data comes from /docs/openapi.json (same-origin, docs cookie).
(function () {
  'use strict';
  var keyInput = document.getElementById('apikey');
  // A page opened with ?api_key= (no login) uses that key for its own requests too.
  var urlKey = new URLSearchParams(location.search).get('api_key');
  if (urlKey) sessionStorage.setItem('warestApiKey', urlKey);
  keyInput.value = sessionStorage.getItem('warestApiKey') || '';
  keyInput.addEventListener('change', function () { sessionStorage.setItem('warestApiKey', keyInput.value); });

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  function resolve(spec, obj) {
    var seen = 0;
    while (obj && obj.$ref && seen++ < 20) {
      obj = obj.$ref.replace(/^#\//, '').split('/').reduce(function (o, k) { return o && o[k]; }, spec);
    }
    return obj;
  }

  // skeleton builds an example body from a schema, so the form starts filled in.
  function skeleton(spec, schema, depth) {
    schema = resolve(spec, schema) || {};
    if (depth > 4) return null;
    if (schema.example !== undefined) return schema.example;
    if (schema.examples && schema.examples.length) return schema.examples[0];
    if (schema.oneOf) return skeleton(spec, schema.oneOf[0], depth + 1);
    if (schema.allOf) {
      return schema.allOf.reduce(function (acc, s) { return Object.assign(acc, skeleton(spec, s, depth + 1)); }, {});
    }
    switch (schema.type) {
      case 'object':
        var out = {};
        Object.keys(schema.properties || {}).forEach(function (k) { out[k] = skeleton(spec, schema.properties[k], depth + 1); });
        return out;
      case 'array': return [skeleton(spec, schema.items, depth + 1)];
      case 'integer': case 'number': return 0;
      case 'boolean': return false;
      default: return schema.enum ? schema.enum[0] : '';
    }
  }

  function tryIt(spec, method, path, op) {
    var params = (op.parameters || []).map(function (p) { return resolve(spec, p); });
    var inputs = {};
    var rows = params.map(function (p) {
      var input = el('input', { placeholder: (p.schema && p.schema.example) || '' });
      inputs[p.in + ':' + p.name] = input;
      return el('tr', {}, [
        el('td', { text: p.name + (p.required ? ' *' : '') }),
        el('td', { text: p.in }),
        el('td', { text: p.description || '' }),
        el('td', {}, [input])
      ]);
    });
    var table = rows.length ? el('table', {}, [el('tbody', {}, rows)]) : null;
    var body = null;
    var media = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
    if (media) {
      body = el('textarea', {});
      body.value = JSON.stringify(skeleton(spec, media.schema, 0), null, 2);
    }
    var out = el('pre', { text: '' });
    out.hidden = true;
    var send = el('button', { type: 'button', text: 'Send' });
    send.addEventListener('click', function () {
      var url = path.replace(/\{([^}]+)\}/g, function (_, name) {
        return encodeURIComponent((inputs['path:' + name] || {}).value || '');
      });
      var query = new URLSearchParams();
      params.forEach(function (p) {
        var v = inputs[p.in + ':' + p.name].value;
        if (p.in === 'query' && v !== '') query.set(p.name, v);
      });
      if (query.toString()) url += '?' + query;
      var headers = { 'Accept': 'application/json' };
      if (keyInput.value) headers['X-WAREST-API-KEY'] = keyInput.value;
      var init = { method: method.toUpperCase(), headers: headers, credentials: 'same-origin' };
      if (body) { headers['Content-Type'] = 'application/json'; init.body = body.value; }
      out.hidden = false;
      out.textContent = 'Sending…';
      var started = performance.now();
      fetch(url, init).then(function (res) {
        return res.text().then(function (text) {
          var pretty = text;
          try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
          out.textContent = res.status + ' ' + res.statusText + ' (' + Math.round(performance.now() - started) + ' ms)\n\n' + pretty;
        });
      }).catch(function (e) { out.textContent = 'Request failed: ' + e.message; });
    });
    return el('div', { class: 'body' }, [
      op.description ? el('p', { text: op.description }) : null,
      table,
      body ? el('label', { text: 'JSON body' }, [body]) : null,
      el('p', {}, [send]),
      out
    ]);
  }

  function render(spec) {
    document.getElementById('title').textContent = spec.info.title + ' ' + spec.info.version;
    var byTag = {};
    Object.keys(spec.paths || {}).sort().forEach(function (path) {
      var item = spec.paths[path];
      ['get', 'post', 'put', 'patch', 'delete'].forEach(function (method) {
        var op = item[method];
        if (!op) return;
        var tag = (op.tags && op.tags[0]) || 'Other';
        (byTag[tag] = byTag[tag] || []).push({ method: method, path: path, op: op });
      });
    });
    var root = document.getElementById('ops');
    Object.keys(byTag).sort().forEach(function (tag) {
      root.appendChild(el('h2', { text: tag }));
      byTag[tag].forEach(function (o) {
        var details = el('details', { class: 'op' }, [
          el('summary', {}, [
            el('span', { class: 'method ' + o.method, text: o.method }),
            el('span', { class: 'path', text: o.path }),
            el('span', { class: 'summary', text: o.op.summary || '' })
          ])
        ]);
        var built = false;
        details.addEventListener('toggle', function () {
          if (details.open && !built) { built = true; details.appendChild(tryIt(spec, o.method, o.path, o.op)); }
        });
        root.appendChild(details);
      });
    });
  }

  function renderCodes(codes) {
    var tbody = document.querySelector('#codetable tbody');
    codes.forEach(function (c) {
      tbody.appendChild(el('tr', {}, [c.app_code, c.app_name, c.http_status, c.category, c.message].map(function (v) {
        return el('td', { text: String(v) });
      })));
    });
  }

  function getJSON(url) {
    var headers = { 'Accept': 'application/json' };
    if (keyInput.value) headers['X-WAREST-API-KEY'] = keyInput.value;
    return fetch(url, { credentials: 'same-origin', headers: headers }).then(function (res) {
      if (res.status === 401) { location.assign('/login?next=' + encodeURIComponent(location.pathname)); throw new Error('login required'); }
      if (!res.ok) throw new Error(url + ': HTTP ' + res.status);
      return res.json();
    });
  }

  var status = document.getElementById('status');
  getJSON('/docs/openapi.json').then(function (spec) { status.remove(); render(spec); })
    .catch(function (e) { status.textContent = e.message; status.className = 'err'; });
  getJSON('/docs/code-table.json').then(renderCodes).catch(function () { /* shown above */ });
})();
