package httpapi

import (
	"net/http"
	"strings"

	"github.com/rs/cors"
)

// The content security policies. Pages load only this server's own scripts, styles
// and images (and data: images: the dashboard shows its QR code as one), and no
// other site may frame them. The docs page also allows inline styles: the vendored
// Scalar renderer injects its stylesheet and sets style attributes at run time.
const (
	pagePolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
		"font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
	docsPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; " +
		"font-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

// securityHeaders sets on every response what WAREST sets with Helmet: a CSP, frame
// denial, no MIME sniffing and no referrer.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		policy := pagePolicy
		if r.URL.Path == "/docs" || strings.HasPrefix(r.URL.Path, "/docs/") {
			policy = docsPolicy
		}
		h.Set("Content-Security-Policy", policy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// withCORS answers cross-origin requests from the allowed origins as WAREST does:
// credentials allowed, preflights cached for a day, the API-key headers accepted.
// "*" allows every origin, answered as a literal "*", so browsers send no cookies
// along; no origins means no cross-origin access.
func withCORS(allowed []string) func(http.Handler) http.Handler {
	if len(allowed) == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	return cors.New(cors.Options{
		AllowedOrigins:   allowed,
		AllowCredentials: true,
		MaxAge:           86400,
		AllowedMethods:   []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		AllowedHeaders: []string{"Content-Type", "Authorization", "X-WAREST-API-KEY", "X-API-KEY", "Api-Key",
			"Idempotency-Key", "Last-Event-ID"},
		ExposedHeaders: []string{"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
			"X-Quota-Limit", "X-Quota-Remaining", "X-Quota-Reset", "Idempotent-Replayed"},
	}).Handler
}
