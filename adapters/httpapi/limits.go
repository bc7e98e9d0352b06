package httpapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/application/command"
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
		setLimitHeaders(ctx, st)
		if err != nil {
			writeErr(api, ctx, err)
			return
		}
		next(ctx)
	}
}

// sendLimitMiddleware is limitMiddleware for the routes whose use case counts the
// request in the send's own transaction (command.Sending.SendCounted: one commit per
// accepted send, not two). It holds the response until the handler is done, to send
// the headers of that count with it. A request that never reached the use case (a
// malformed body, a refused field) is counted here afterwards: over a limit it
// answers 429 instead of its own response, as if counted first.
func (h *handlers) sendLimitMiddleware(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		c := &sendCount{}
		held := &heldResponse{humaContext: huma.WithValue(ctx, sendCountKey{}, c), header: http.Header{}}
		next(held)
		var err error
		if !c.done {
			c.state, err = h.cmd.Quotas.Throttle(ctx.Context(), principal(ctx.Context()), true)
		}
		setLimitHeaders(ctx, c.state)
		if err != nil {
			writeErr(api, ctx, err)
			return
		}
		held.flush(ctx)
	}
}

type sendCountKey struct{}

// sendCount is the count a send route's use case made.
type sendCount struct {
	state command.ThrottleState
	done  bool
}

// counted gives sendLimitMiddleware the count of the request's use case.
func counted(ctx context.Context, st command.ThrottleState) {
	if c, ok := ctx.Value(sendCountKey{}).(*sendCount); ok {
		c.state, c.done = st, true
	}
}

// humaContext names the embedded huma.Context: its field would hide its Context method.
type humaContext = huma.Context

// heldResponse keeps a handler's status, headers and body until flush.
type heldResponse struct {
	humaContext
	status int
	header http.Header
	body   bytes.Buffer
}

func (r *heldResponse) SetStatus(code int)              { r.status = code }
func (r *heldResponse) Status() int                     { return r.status }
func (r *heldResponse) SetHeader(name, value string)    { r.header.Set(name, value) }
func (r *heldResponse) AppendHeader(name, value string) { r.header.Add(name, value) }
func (r *heldResponse) BodyWriter() io.Writer           { return &r.body }

func (r *heldResponse) flush(ctx huma.Context) {
	for name, values := range r.header {
		ctx.SetHeader(name, values[0])
		for _, v := range values[1:] {
			ctx.AppendHeader(name, v)
		}
	}
	if r.status != 0 {
		ctx.SetStatus(r.status)
	}
	_, _ = ctx.BodyWriter().Write(r.body.Bytes())
}

func setLimitHeaders(ctx huma.Context, st command.ThrottleState) {
	setWindowHeaders(ctx, "X-RateLimit-", st.Rate)
	setWindowHeaders(ctx, "X-Quota-", st.Quota)
}

func setWindowHeaders(ctx huma.Context, prefix string, s *throttle.State) {
	if s == nil {
		return
	}
	ctx.SetHeader(prefix+"Limit", strconv.Itoa(s.Limit))
	ctx.SetHeader(prefix+"Remaining", strconv.Itoa(s.Remaining))
	ctx.SetHeader(prefix+"Reset", strconv.FormatInt(s.Reset.Unix(), 10))
}
