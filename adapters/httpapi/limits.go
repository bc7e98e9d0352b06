package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/throttle"
	"github.com/warest-go/warest/ports"
)

// The media and limit failures of the send routes, merged into the error table.
func init() {
	for reason, r := range map[fault.Reason]rule{
		ports.ReasonTooLarge:        {http.StatusRequestEntityTooLarge, 2006},
		ports.ReasonUnsupportedType: {http.StatusUnsupportedMediaType, 2007},
		ports.ReasonBlockedFile:     {http.StatusUnsupportedMediaType, 2007},
		ports.ReasonConvertFailed:   {http.StatusUnprocessableEntity, 2012},
		ports.ReasonFetchFailed:     {http.StatusBadGateway, 2800},
		ports.ReasonFetchBlocked:    {http.StatusBadRequest, 2002},
		ports.ReasonNoTranscoder:    {http.StatusServiceUnavailable, 8001},
	} {
		reasonRules[reason] = r
	}
}

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

// fromLimit renders a refused request: 429 with Retry-After, code 2400 (rate limit,
// recipient cooldown) or 2401 (quota).
func fromLimit(err error) *ErrorEnvelope {
	var ex *throttle.Exceeded
	if err == nil || !errors.As(err, &ex) {
		return nil
	}
	code := 2400
	if ex.Limit == throttle.LimitQuota {
		code = 2401
	}
	env := newErrorEnvelope(http.StatusTooManyRequests, code, ex.Error())
	secs := max(int(ex.RetryAfter.Seconds()), 1)
	env.headers = http.Header{"Retry-After": {strconv.Itoa(secs)}}
	if ex.Limit == throttle.LimitCooldown {
		env.Results = []any{map[string]any{"retryAfter": secs, "recipient": ex.Recipient}}
	}
	return env
}
