// Posts the credentials, keeps the issued key for the docs' "try it" form, and
// goes back to `next` when it is a path on this site.
(function () {
  var form = document.getElementById('login');
  var error = document.getElementById('error');
  function nextPath() {
    var n = new URLSearchParams(location.search).get('next') || '/docs';
    return n.charAt(0) === '/' && n.charAt(1) !== '/' && n.charAt(1) !== '\\' ? n : '/docs';
  }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    error.textContent = '';
    var body = { username: form.username.value, password: form.password.value };
    fetch('/api/auth/login', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) throw new Error(data.message || 'Login failed');
        sessionStorage.setItem('warestApiKey', data.apiKey);
        location.assign(nextPath());
      });
    }).catch(function (e) { error.textContent = e.message; });
  });
})();
