package httpapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
)

// access is who may call an operation.
type access int

const (
	accessPublic access = iota
	accessUser          // any valid key; ownership is the application's business
	accessAdmin         // admin keys only (WAREST: /server/* except ping)
)

// apiKeyFrom finds the key wherever WAREST clients put it, in WAREST's order.
func apiKeyFrom(header, query func(string) string) string {
	if k := header("X-WAREST-API-KEY"); k != "" {
		return k
	}
	if scheme, rest, ok := strings.Cut(strings.TrimSpace(header("Authorization")), " "); ok {
		switch strings.ToLower(scheme) {
		case "bearer", "token", "apikey":
			return strings.TrimSpace(rest)
		}
	}
	for _, h := range []string{"X-API-KEY", "Api-Key"} {
		if k := header(h); k != "" {
			return k
		}
	}
	for _, q := range []string{"api_key", "apikey", "apiKey"} {
		if k := query(q); k != "" {
			return k
		}
	}
	return ""
}

type principalKey struct{}

// principal returns the caller authenticated by the auth middleware.
func principal(ctx context.Context) account.Principal {
	p, _ := ctx.Value(principalKey{}).(account.Principal)
	return p
}

// cookieHeader makes the API take the login cookie: without it the cookie is
// ignored. Browsers send cookies by themselves, also on requests another site
// starts, and several WAREST routes change things on GET; another site cannot add
// a custom header without a CORS preflight, which this API never grants.
const cookieHeader = "X-WAREST-CSRF"

// authMiddleware authenticates the API key, or without one the login cookie (the
// dashboard's credential), and enforces the admin role.
func (h *handlers) authMiddleware(api huma.API, level access) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		p, err := h.caller(ctx)
		if err != nil {
			writeErr(api, ctx, err) // 401, or 503 when the store cannot answer
			return
		}
		if level == accessAdmin && !p.User.IsAdmin() {
			writeErr(api, ctx, fault.Forbidden("admin only"))
			return
		}
		next(huma.WithValue(ctx, principalKey{}, p))
	}
}

// caller is who sent the request: the API key's owner when a key is sent, else the
// login cookie's when it comes with cookieHeader.
func (h *handlers) caller(ctx huma.Context) (account.Principal, error) {
	key := apiKeyFrom(ctx.Header, ctx.Query)
	c, err := huma.ReadCookie(ctx, docsCookie)
	if key != "" || err != nil || ctx.Header(cookieHeader) == "" {
		return h.q.Principals.Authenticate(ctx.Context(), key)
	}
	return h.cookiePrincipal(ctx.Context(), c.Value)
}

// credentials are what a request presents, unchecked.
type credentials struct{ key, cookie string }

type credentialsKey struct{}

// withCredentials hands a public operation the key and docs cookie sent with it.
func withCredentials(ctx huma.Context, next func(huma.Context)) {
	c := credentials{key: apiKeyFrom(ctx.Header, ctx.Query)}
	if ck, err := huma.ReadCookie(ctx, docsCookie); err == nil {
		c.cookie = ck.Value
	}
	next(huma.WithValue(ctx, credentialsKey{}, c))
}

func credentialsFrom(ctx context.Context) credentials {
	c, _ := ctx.Value(credentialsKey{}).(credentials)
	return c
}

// The docs cookie names a login session instead of holding its key (WAREST stores
// the raw key): "<userID>.<keyID>.<expiryUnix>.<HMAC-SHA256>", re-checked against
// the store on every use so logout, revocation and expiry also end the docs login.
const docsCookie = "WAREST_DOCS_SESSION"

type cookieSigner struct{ secret []byte }

func (s cookieSigner) mac(payload string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s cookieSigner) sign(p account.Principal, expires time.Time) string {
	payload := p.User.ID + "." + p.KeyID + "." + strconv.FormatInt(expires.Unix(), 10)
	return payload + "." + s.mac(payload)
}

// verify returns the user and key ids of an authentic, unexpired token.
func (s cookieSigner) verify(token string, now time.Time) (userID, keyID string, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 4 {
		return "", "", false
	}
	payload := strings.Join(parts[:3], ".")
	if !hmac.Equal([]byte(parts[3]), []byte(s.mac(payload))) {
		return "", "", false
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || now.Unix() >= exp {
		return "", "", false
	}
	return parts[0], parts[1], true
}

func (h *handlers) docsCookie(value string, maxAge int) http.Cookie {
	return http.Cookie{Name: docsCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.cfg.SecureCookies}
}

// docsGuard lets a request through with a valid API key or docs cookie, as WAREST's
// docs guard does. Browsers asking for the HTML page are sent to the login page.
func (h *handlers) docsGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, err := h.docsAllowed(r)
		if err != nil { // the store could not tell
			writeError(w, fromError(r.Context(), err))
			return
		}
		if ok {
			next.ServeHTTP(w, r)
			return
		}
		login := "/login?next=" + url.QueryEscape(r.URL.RequestURI())
		if r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html") {
			http.Redirect(w, r, login, http.StatusSeeOther)
			return
		}
		writeError(w, refuse(r.Context(), fault.Unauthorized(fault.ReasonLoginRequired, "LOGIN_REQUIRED"), map[string]string{"login": login}))
	})
}

// docsAllowed reports whether the request carries a valid key or cookie; the error
// is a failure other than an invalid credential.
func (h *handlers) docsAllowed(r *http.Request) (bool, error) {
	ctx := r.Context()
	if key := apiKeyFrom(r.Header.Get, r.URL.Query().Get); key != "" {
		_, err := h.q.Principals.Authenticate(ctx, key)
		if !fault.Is(err, fault.KindUnauthorized) {
			return err == nil, err
		}
	}
	c, err := r.Cookie(docsCookie)
	if err != nil {
		return false, nil
	}
	_, err = h.cookiePrincipal(ctx, c.Value)
	if fault.Is(err, fault.KindUnauthorized) {
		return false, nil
	}
	return err == nil, err
}

// cookiePrincipal resolves a docs cookie to the caller of its login session.
func (h *handlers) cookiePrincipal(ctx context.Context, cookie string) (account.Principal, error) {
	userID, keyID, ok := h.cookies.verify(cookie, time.Now())
	if !ok {
		return account.Principal{}, fault.Unauthorized("", "no valid docs login")
	}
	return h.q.Principals.Principal(ctx, userID, keyID)
}
