// Posts the credentials with `next`, keeps the issued key for the docs' "try it"
// form, and goes where the server says: `next` when it is a path on this site.
(function () {
  var form = document.getElementById('login');
  var error = document.getElementById('error');
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    error.textContent = '';
    var body = {
      username: form.username.value, password: form.password.value,
      next: new URLSearchParams(location.search).get('next') || ''
    };
    fetch('/api/auth/login', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) throw new Error(data.message || 'Login failed');
        sessionStorage.setItem('warestApiKey', data.apiKey);
        location.assign(data.redirect);
      });
    }).catch(function (e) { error.textContent = e.message; });
  });
})();
