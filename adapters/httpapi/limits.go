package httpapi

import (
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/domain/throttle"
)

// quotaRoute reports whether the quota counts a route: WAREST's anti-spam route
// groups (messages, chats, server).
func quotaRoute(path string) bool {
	for _, p := range []string{"/api/v1/messages/", "/api/v1/chats", "/api/v1/server/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// limitMiddleware counts the request against the caller's rate limit (and quota on
// quota routes) and reports both in WAREST's headers; over a limit it answers 429 in
// the envelope with Retry-After. Any other failure (the store) goes through the
// error table like a handler's.
func (h *handlers) limitMiddleware(api huma.API, quota bool) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		st, err := h.cmd.Quotas.Throttle(ctx.Context(), principal(ctx.Context()), quota)
		setWindowHeaders(ctx, "X-RateLimit-", st.Rate)
		setWindowHeaders(ctx, "X-Quota-", st.Quota)
		if err != nil {
			writeErr(api, ctx, err)
			return
		}
		next(ctx)
	}
}

func setWindowHeaders(ctx huma.Context, prefix string, s *throttle.State) {
	if s == nil {
		return
	}
	ctx.SetHeader(prefix+"Limit", strconv.Itoa(s.Limit))
	ctx.SetHeader(prefix+"Remaining", strconv.Itoa(s.Remaining))
	ctx.SetHeader(prefix+"Reset", strconv.FormatInt(s.Reset.Unix(), 10))
}
