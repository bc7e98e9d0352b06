package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/throttle"
	"github.com/warest-go/warest/domain/wacrypto"
	"github.com/warest-go/warest/ports"
)

// This file is THE error table: fault kinds and reasons → HTTP status + WAREST app
// code, and huma's own failures (bad JSON, validation, size) → the same envelope.

// rule is where one class of failure ends up on the wire.
type rule struct {
	status int
	code   int
}

var kindRules = map[fault.Kind]rule{
	fault.KindInvalid:            {http.StatusBadRequest, 2002},
	fault.KindNotFound:           {http.StatusNotFound, 2600},
	fault.KindConflict:           {http.StatusConflict, 2004},
	fault.KindUnauthorized:       {http.StatusUnauthorized, 2200},
	fault.KindForbidden:          {http.StatusForbidden, 2201},
	fault.KindFailedPrecondition: {http.StatusConflict, 2003},
	fault.KindUnavailable:        {http.StatusServiceUnavailable, 8001},
	fault.KindRateLimited:        {http.StatusTooManyRequests, 2400},
	fault.KindTooLarge:           {http.StatusRequestEntityTooLarge, 2006},
}

// retryAfter is the Retry-After (seconds) of a kind whose failures pass by
// themselves, such as a database that is down or read-only. It applies when the
// kind's rule answers: a reason says something more specific (ffmpeg missing).
var retryAfter = map[fault.Kind]int{fault.KindUnavailable: 5}

// reasonRules refine a kind; a reason always wins over its kind's default.
var reasonRules = map[fault.Reason]rule{
	fault.ReasonSessionRequired:  {http.StatusBadRequest, 1100},
	fault.ReasonSessionNotFound:  {http.StatusNotFound, 1101},
	fault.ReasonSessionExists:    {http.StatusConflict, 1102},
	fault.ReasonSessionNotOpen:   {http.StatusConflict, 1106},
	fault.ReasonMissingParameter: {http.StatusBadRequest, 2001},
	fault.ReasonInvalidParameter: {http.StatusBadRequest, 2002},
	fault.ReasonInvalidState:     {http.StatusConflict, 2003},
	fault.ReasonMalformedJSON:    {http.StatusBadRequest, 2008},
	fault.ReasonAPIKeyInvalid:    {http.StatusUnauthorized, 2204},
	fault.ReasonMessageNotFound:  {http.StatusNotFound, 2601},
	fault.ReasonUserNotFound:     {http.StatusNotFound, 2602},
	fault.ReasonSendFailed:       {http.StatusBadGateway, 3002},
	fault.ReasonTargetForbidden:  {http.StatusBadRequest, 1201},
	fault.ReasonNotPaired:        {http.StatusConflict, 1106},
	fault.ReasonRecipientInvalid: {http.StatusBadRequest, 3001},
	fault.ReasonNotOnWhatsApp:    {http.StatusNotFound, 3003},
	fault.ReasonGroupNotFound:    {http.StatusNotFound, 2604},
	fault.ReasonSendRejected:     {http.StatusBadRequest, 3000},
	fault.ReasonExpired:          {http.StatusGatewayTimeout, 2801},
	// A per-user cap is not lifted by waiting (429 would say so): the user must
	// delete a session or close a stream, or an admin raise the limit.
	fault.ReasonLimitReached: {http.StatusForbidden, 2403},

	fault.ReasonMalformedBody:  {http.StatusBadRequest, 2000},
	fault.ReasonLoginRequired:  {http.StatusUnauthorized, 2200},
	fault.ReasonButtonsInvalid: {http.StatusBadRequest, 3010},
	fault.ReasonListInvalid:    {http.StatusBadRequest, 3011},
	fault.ReasonPollInvalid:    {http.StatusBadRequest, 3012},
	// WAREST answers bad coordinates with POLL_INVALID too (behaviour §1.0).
	fault.ReasonLocationInvalid: {http.StatusBadRequest, 3012},
	fault.ReasonReactionFailed:  {http.StatusBadGateway, 4005},
	fault.ReasonRevokeFailed:    {http.StatusBadGateway, 4000},
	fault.ReasonEditNotAllowed:  {http.StatusForbidden, 4001},

	// What WhatsApp refuses in groups.
	fault.ReasonNotGroupAdmin:   {http.StatusForbidden, 5001},
	fault.ReasonNotGroupMember:  {http.StatusForbidden, 2201},
	fault.ReasonInviteInvalid:   {http.StatusBadRequest, 5004},
	fault.ReasonGroupChangeFail: {http.StatusBadGateway, 5007},
	// Profiles, presence and calls: what WhatsApp refuses or does not have.
	fault.ReasonPictureNotFound:  {http.StatusNotFound, 2605},
	fault.ReasonBusinessNotFound: {http.StatusNotFound, 6004},
	fault.ReasonPrivacyHidden:    {http.StatusForbidden, 2201},
	fault.ReasonProfileRefused:   {http.StatusBadGateway, 6000},
	fault.ReasonCallNotFound:     {http.StatusNotFound, 2600},
	fault.ReasonWhatsAppRefused:  {http.StatusBadGateway, 2800},

	// A WhatsApp file or poll vote whose keys, MAC or checksum do not match: a bad
	// parameter, as the reference declares no 422 for the misc routes.
	wacrypto.ReasonDecryptFailed: {http.StatusBadRequest, 2002},

	// The media failures of the send routes.
	ports.ReasonTooLarge:        {http.StatusRequestEntityTooLarge, 2006},
	ports.ReasonUnsupportedType: {http.StatusUnsupportedMediaType, 2007},
	ports.ReasonBlockedFile:     {http.StatusUnsupportedMediaType, 2007},
	ports.ReasonConvertFailed:   {http.StatusUnprocessableEntity, 2012},
	ports.ReasonFetchFailed:     {http.StatusBadGateway, 2800},
	ports.ReasonFetchBlocked:    {http.StatusBadRequest, 2002},
	ports.ReasonNoTranscoder:    {http.StatusServiceUnavailable, 8001},
}

// limitCodes name the 429 of each throttle limit: RATE_LIMITED for the rate limit
// and a recipient's cooldown, QUOTA_EXCEEDED for the quota.
var limitCodes = map[throttle.Limit]int{throttle.LimitRate: 2400, throttle.LimitCooldown: 2400, throttle.LimitQuota: 2401}

// sendFailed is a message that failed for a reason the table does not know: the
// network's failure, not the request's.
var sendFailed = rule{http.StatusBadGateway, 3002}

// failureRule is where a failed message's reason code (message.Outbound.FailCode)
// ends up on the wire.
func failureRule(code fault.Reason) rule {
	if r, ok := reasonRules[code]; ok {
		return r
	}
	return sendFailed
}

// sharedFailure answers a send whose every recipient failed: with their common
// rule when they agree; else 400 SEND_REJECTED when each was refused for good (a
// 4xx), else 502 SEND_FAILED.
func sharedFailure(failed []sendResult) rule {
	first, same, refused := failed[0].failure, true, true
	for _, f := range failed {
		same = same && f.failure == first
		refused = refused && f.failure.status < 500
	}
	switch {
	case same:
		return first
	case refused:
		return reasonRules[fault.ReasonSendRejected]
	}
	return sendFailed
}

// statusRules name the code of failures that carry only an HTTP status (huma's own
// errors, router fallbacks).
var statusRules = map[int]int{
	http.StatusBadRequest:            2000,
	http.StatusUnauthorized:          2200,
	http.StatusForbidden:             2201,
	http.StatusNotFound:              2600,
	http.StatusMethodNotAllowed:      2010,
	http.StatusNotAcceptable:         2011,
	http.StatusConflict:              2004,
	http.StatusRequestEntityTooLarge: 2006,
	http.StatusUnsupportedMediaType:  2007,
	http.StatusUnprocessableEntity:   2012,
	http.StatusTooManyRequests:       2400,
	http.StatusNotImplemented:        8005,
	http.StatusBadGateway:            2800,
	http.StatusServiceUnavailable:    8001,
	http.StatusGatewayTimeout:        2801,
}

const (
	codeSuccess       = 1000
	codeAccepted      = 1001
	codeScheduled     = 1003
	codePartial       = 1004
	codeNoop          = 1005
	codeInternal      = 8000
	codePreflightFail = 2000
	internalMessage   = "Internal server error"
)

// fromError maps an error from the application to its envelope. Unknown errors are
// logged here, once, and answered with a generic 500.
func fromError(ctx context.Context, err error) *ErrorEnvelope {
	var env *ErrorEnvelope
	if errors.As(err, &env) {
		return env
	}
	var pf *command.PreflightFailed
	if errors.As(err, &pf) {
		r := pf.Result
		return newErrorEnvelope(http.StatusBadRequest, codePreflightFail, "Webhook preflight failed",
			map[string]any{"results": []preflightDTO{{Target: r.Target, OK: r.OK, Status: r.Status, RoundTripMs: r.RoundTripMs, Error: r.Error}}})
	}
	if env := fromLimit(err); env != nil {
		return env
	}
	fe, isFault := fault.As(err)
	if !isFault {
		loggerFrom(ctx).ErrorContext(ctx, "unhandled error", "err", err)
		return newErrorEnvelope(http.StatusInternalServerError, codeInternal, internalMessage)
	}
	r, known := reasonRules[fe.Reason]
	retry := 0
	if !known {
		r, known = kindRules[fe.Kind]
		retry = retryAfter[fe.Kind]
	}
	if !known {
		loggerFrom(ctx).ErrorContext(ctx, "unhandled error", "err", err)
		return newErrorEnvelope(http.StatusInternalServerError, codeInternal, internalMessage)
	}
	if r.status >= 500 {
		// The cause may hold internals: log it, answer with the domain message only.
		loggerFrom(ctx).ErrorContext(ctx, "request failed", "err", err)
	}
	env = newErrorEnvelope(r.status, r.code, fe.Msg)
	if retry > 0 {
		env.headers = http.Header{"Retry-After": {strconv.Itoa(retry)}}
	}
	return env
}

// refuse answers a refusal through the table, with results saying what was refused
// (the files blocked, the login page).
func refuse(ctx context.Context, f *fault.Error, results ...any) *ErrorEnvelope {
	env := fromError(ctx, f)
	env.Results = results
	return env
}

// fromLimit renders a refused request: 429 with Retry-After; a recipient's cooldown
// also says which recipient and when.
func fromLimit(err error) *ErrorEnvelope {
	var ex *throttle.Exceeded
	if err == nil || !errors.As(err, &ex) {
		return nil
	}
	env := newErrorEnvelope(http.StatusTooManyRequests, limitCodes[ex.Limit], ex.Error())
	secs := max(int(ex.RetryAfter.Seconds()), 1)
	env.headers = http.Header{"Retry-After": {strconv.Itoa(secs)}}
	if ex.Limit == throttle.LimitCooldown {
		env.Results = []any{map[string]any{"retryAfter": secs, "recipient": ex.Recipient}}
	}
	return env
}

// writeErr answers a middleware's failure through the table. huma.WriteErr alone
// would drop the envelope's headers (Retry-After).
func writeErr(api huma.API, ctx huma.Context, err error) {
	env := fromError(ctx.Context(), err)
	for k, vs := range env.headers {
		for _, v := range vs {
			ctx.AppendHeader(k, v)
		}
	}
	_ = huma.WriteErr(api, ctx, env.httpStatus, "", env)
}

// fromStatus builds the envelope for a failure known only by its HTTP status.
func fromStatus(status int, msg string) *ErrorEnvelope {
	code, ok := statusRules[status]
	if !ok {
		code = codeInternal
		if status < 500 {
			code = 2000
		}
	}
	if msg == "" {
		msg = lookupCode(code).Message
	}
	return newErrorEnvelope(status, code, msg)
}

// fromHuma translates huma's request failures: WAREST answers 400 (not 422) with
// MISSING_PARAMETER / INVALID_PARAMETER, and MALFORMED_JSON for unparsable bodies.
func fromHuma(status int, msg string, errs []error) *ErrorEnvelope {
	details := make([]string, 0, len(errs))
	missing := false
	for _, e := range errs {
		var d *huma.ErrorDetail
		if !errors.As(e, &d) {
			if e != nil {
				details = append(details, e.Error())
			}
			continue
		}
		// Location and message only: Value may echo secrets or message bodies.
		details = append(details, strings.TrimPrefix(d.Location+": ", ": ")+d.Message)
		missing = missing || strings.Contains(d.Message, "required")
	}
	detail := strings.Join(details, "; ")
	switch {
	case status == http.StatusBadRequest && msg == "request body is required":
		return newErrorEnvelope(status, 2001, "Request body is required")
	case status == http.StatusBadRequest:
		return newErrorEnvelope(status, 2008, "Malformed JSON body: "+detail)
	case status == http.StatusUnprocessableEntity && missing:
		return newErrorEnvelope(http.StatusBadRequest, 2001, "Required parameter missing: "+detail)
	case status == http.StatusUnprocessableEntity:
		return newErrorEnvelope(http.StatusBadRequest, 2002, "Invalid parameter: "+detail)
	case status == http.StatusRequestEntityTooLarge:
		return newErrorEnvelope(status, 2006, "Payload too large")
	}
	return fromStatus(status, msg)
}

// newHumaError replaces huma's problem details with the envelope. Errors returned by
// handlers arrive here as errs[0] with status 500; huma's own failures carry their
// status and details.
func newHumaError(ctx context.Context, status int, msg string, errs ...error) huma.StatusError {
	if status == 0 { // huma asks for an example value to document the error schema
		return newErrorEnvelope(0, 0, "")
	}
	for _, e := range errs {
		if _, isFault := fault.As(e); isFault || status == http.StatusInternalServerError {
			return fromError(ctx, e)
		}
		var env *ErrorEnvelope
		if errors.As(e, &env) {
			return env
		}
	}
	if status == http.StatusInternalServerError {
		loggerFrom(ctx).ErrorContext(ctx, "request failed", "reason", msg)
		return newErrorEnvelope(status, codeInternal, internalMessage)
	}
	return fromHuma(status, msg, errs)
}

func init() {
	// huma keeps its error constructor in package variables; this package is the only
	// user of huma in the binary, so the override is global by design.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return newHumaError(context.Background(), status, msg, errs...)
	}
	huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		ctx := context.Background()
		if hctx != nil {
			ctx = hctx.Context()
		}
		return newHumaError(ctx, status, msg, errs...)
	}
}

type loggerKey struct{}

// loggerFrom returns the request's logger, put there by the logging middleware.
func loggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}
