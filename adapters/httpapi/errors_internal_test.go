package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
)

// Every code the error table or a handler can answer with is in the served table,
// with the same HTTP status.
func TestErrorTableCodesExistInCodeTable(t *testing.T) {
	t.Parallel()
	check := func(what string, r rule) {
		c, ok := codeIndex[r.code]
		if !ok {
			t.Errorf("%s: code %d missing from the code table", what, r.code)
		} else if c.HTTPStatus != r.status {
			t.Errorf("%s: code %d is HTTP %d in the table, %d in the rule", what, r.code, c.HTTPStatus, r.status)
		}
	}
	for k, r := range kindRules {
		check(fmt.Sprintf("kind %d", k), r)
	}
	for reason, r := range reasonRules {
		check("reason "+string(reason), r)
	}
	for limit, code := range limitCodes {
		check("limit "+string(limit), rule{http.StatusTooManyRequests, code})
	}
	for status, code := range statusRules {
		check("status "+http.StatusText(status), rule{status, code})
	}
	// Success codes of handlers, and the codes of huma's failures and of failures the
	// table does not know.
	for _, r := range []rule{{200, 1000}, {202, 1001}, {202, 1002}, {207, 1004}, {200, 1104}, {202, 1107}, {202, 1109}, {202, 1110},
		{400, 2000}, {400, 2001}, {400, 2002}, {400, 2008}, {413, 2006}, {500, 8000}} {
		check("handler", r)
	}
	seen := map[int]bool{}
	for _, c := range codeTable {
		if seen[c.Code] || c.Name == "" || c.Message == "" || c.Category == "" || http.StatusText(c.HTTPStatus) == "" {
			t.Errorf("bad or duplicate entry %+v", c)
		}
		seen[c.Code] = true
	}
}

func TestFaultMapping(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err          error
		status, code int
	}{
		{fault.Invalid(fault.ReasonSessionRequired, "sessionId is required"), 400, 1100},
		{fault.NotFound(fault.ReasonSessionNotFound, "x"), 404, 1101},
		{fault.Conflict(fault.ReasonSessionExists, "x"), 409, 1102},
		{fault.FailedPrecondition(fault.ReasonSessionNotOpen, "x"), 409, 1106},
		{fault.Invalid("", "x"), 400, 2002},
		{fault.Invalid(fault.ReasonMissingParameter, "x"), 400, 2001},
		{fault.Invalid(fault.ReasonMalformedJSON, "x"), 400, 2008},
		{fault.Conflict("", "x"), 409, 2004},
		{fault.Unauthorized("", "x"), 401, 2200},
		{fault.Unauthorized(fault.ReasonAPIKeyInvalid, "x"), 401, 2204},
		{fault.Forbidden("x"), 403, 2201},
		{fault.FailedPrecondition("", "x"), 409, 2003},
		{fault.NotFound("", "x"), 404, 2600},
		{fault.NotFound(fault.ReasonMessageNotFound, "x"), 404, 2601},
		{fault.NotFound(fault.ReasonUserNotFound, "x"), 404, 2602},
		{fault.New(fault.KindRateLimited, "", "x"), 429, 2400},
		{fault.New(fault.KindForbidden, fault.ReasonLimitReached, "x"), 403, 2403},
		{fault.New(fault.KindTooLarge, "", "x"), 413, 2006},
		{fault.New(fault.KindUnavailable, "", "x"), 503, 8001},
		{fault.New(fault.KindUnavailable, fault.ReasonSendFailed, "x"), 502, 3002},
		{fault.Invalid(fault.ReasonRecipientInvalid, "x"), 400, 3001},
		{fault.NotFound(fault.ReasonNotOnWhatsApp, "x"), 404, 3003},
		{fault.NotFound(fault.ReasonGroupNotFound, "x"), 404, 2604},
		{fault.FailedPrecondition(fault.ReasonNotPaired, "x"), 409, 1106},
		{fault.Invalid(fault.ReasonMalformedBody, "x"), 400, 2000},
		{fault.Unauthorized(fault.ReasonLoginRequired, "x"), 401, 2200},
		{fault.Invalid(fault.ReasonButtonsInvalid, "x"), 400, 3010},
		{fault.Invalid(fault.ReasonListInvalid, "x"), 400, 3011},
		{fault.Invalid(fault.ReasonPollInvalid, "x"), 400, 3012},
		{fault.Invalid(fault.ReasonLocationInvalid, "x"), 400, 3012},
		{fault.New(fault.KindUnavailable, fault.ReasonReactionFailed, "x"), 502, 4005},
		{fault.New(fault.KindUnavailable, fault.ReasonRevokeFailed, "x"), 502, 4000},
		{fault.New(fault.KindUnavailable, fault.ReasonEditNotAllowed, "x"), 403, 4001},
		{fault.Wrap(errors.New("db down"), fault.KindUnknown, "", "x"), 500, 8000},
	}
	for _, c := range cases {
		e := fromError(context.Background(), c.err)
		if e.GetStatus() != c.status || e.Code != c.code || e.Status {
			t.Errorf("%v: got %d/%d, want %d/%d", c.err, e.GetStatus(), e.Code, c.status, c.code)
		}
	}
}

// An unknown error is logged once, with its detail, and answered generically.
func TestUnknownErrorIsLoggedAndHidden(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	ctx := context.WithValue(context.Background(), loggerKey{}, slog.New(slog.NewTextHandler(&logs, nil)))
	e := newHumaError(ctx, http.StatusInternalServerError, "unexpected error occurred", errors.New("pq: secret table exploded")).(*ErrorEnvelope)
	body, _ := json.Marshal(e)
	if e.GetStatus() != 500 || e.Code != 8000 || strings.Contains(string(body), "exploded") {
		t.Fatalf("got %d %s", e.GetStatus(), body)
	}
	if n := strings.Count(logs.String(), "exploded"); n != 1 {
		t.Fatalf("logged %d times: %s", n, logs.String())
	}
	// huma's own failures: 422 becomes 400 with WAREST's codes.
	missing := newHumaError(ctx, 422, "validation failed", &huma.ErrorDetail{Location: "body.username", Message: "expected required property username to be present"})
	invalid := newHumaError(ctx, 422, "validation failed", &huma.ErrorDetail{Location: "body.to", Message: "expected string", Value: "secret"})
	if missing.GetStatus() != 400 || missing.(*ErrorEnvelope).Code != 2001 || invalid.GetStatus() != 400 || invalid.(*ErrorEnvelope).Code != 2002 ||
		strings.Contains(invalid.Error(), "secret") {
		t.Fatalf("validation mapping: %+v %+v", missing, invalid)
	}
}

func TestPanicBecomesEnvelope(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := &handlers{log: slog.New(slog.NewTextHandler(&logs, nil))}
	srv := h.requestContext(h.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	var env ErrorEnvelope
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || rec.Code != 500 || env.Code != 8000 || env.Status || env.Results != nil {
		t.Fatalf("panic answer %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Fatal("panic not logged")
	}
}

func TestCookieSigner(t *testing.T) {
	t.Parallel()
	s := cookieSigner{secret: []byte("k")}
	p := account.Principal{User: account.User{ID: "U1"}, KeyID: "K1"}
	now := time.Now()
	tok := s.sign(p, now.Add(time.Hour))
	if u, k, ok := s.verify(tok, now); !ok || u != "U1" || k != "K1" {
		t.Fatalf("verify %q: %v %v %v", tok, u, k, ok)
	}
	if _, _, ok := s.verify(tok, now.Add(2*time.Hour)); ok {
		t.Fatal("expired token accepted")
	}
	if _, _, ok := (cookieSigner{secret: []byte("other")}).verify(tok, now); ok {
		t.Fatal("token signed with another secret accepted")
	}
	if _, _, ok := s.verify(strings.Replace(tok, "K1", "K2", 1), now); ok {
		t.Fatal("tampered token accepted")
	}
}
