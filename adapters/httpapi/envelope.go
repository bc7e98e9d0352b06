package httpapi

import (
	"encoding/json"
	"net/http"
)

// Envelope is WAREST's response shape: status is true iff the HTTP status is 2xx
// (202 and 207 included) and results is always an array on success.
type Envelope[T any] struct {
	Status  bool   `json:"status" doc:"true iff the HTTP status is 2xx"`
	Code    int    `json:"code" doc:"WAREST app code, see /docs/code-table.json"`
	Message string `json:"message"`
	Results []T    `json:"results"`
}

// Response is a huma output whose HTTP status is chosen by the handler.
type Response[T any] struct {
	Status int
	Body   Envelope[T]
}

// reply builds a response; a missing result list becomes [] as in WAREST.
func reply[T any](status, code int, msg string, results ...T) *Response[T] {
	if results == nil {
		results = []T{}
	}
	return &Response[T]{Status: status, Body: Envelope[T]{Status: is2xx(status), Code: code, Message: msg, Results: results}}
}

func success[T any](msg string, results ...T) *Response[T] {
	return reply(http.StatusOK, codeSuccess, msg, results...)
}

func is2xx(status int) bool { return status >= 200 && status < 300 }

// ErrorEnvelope is the envelope of every error response. It implements
// huma.StatusError, so huma writes it (and documents it) in place of problem details.
type ErrorEnvelope struct {
	Status     bool   `json:"status" doc:"always false"`
	Code       int    `json:"code" doc:"WAREST app code, see /docs/code-table.json"`
	Message    string `json:"message"`
	Results    []any  `json:"results" nullable:"true" doc:"null, or details such as preflight results"`
	httpStatus int
	headers    http.Header // e.g. Retry-After; huma writes them (HeadersError)
}

func (e *ErrorEnvelope) Error() string           { return e.Message }
func (e *ErrorEnvelope) GetStatus() int          { return e.httpStatus }
func (e *ErrorEnvelope) GetHeaders() http.Header { return e.headers }

func newErrorEnvelope(status, code int, msg string, results ...any) *ErrorEnvelope {
	return &ErrorEnvelope{Status: is2xx(status), Code: code, Message: msg, Results: results, httpStatus: status}
}

// writeJSON writes v outside huma (router fallbacks, recovery, docs guard).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *ErrorEnvelope) {
	for k, v := range e.headers {
		w.Header()[k] = v
	}
	writeJSON(w, e.httpStatus, e)
}

// ResultEnvelope is the envelope of WAREST's chat routes: one `result` object in
// place of the `results` list.
type ResultEnvelope[T any] struct {
	Status  bool   `json:"status" doc:"true iff the HTTP status is 2xx"`
	Code    int    `json:"code" doc:"WAREST app code, see /docs/code-table.json"`
	Message string `json:"message"`
	Result  T      `json:"result"`
}

// ResultResponse is a huma output carrying a ResultEnvelope.
type ResultResponse[T any] struct {
	Body ResultEnvelope[T]
}

func resultOK[T any](msg string, result T) *ResultResponse[T] {
	return &ResultResponse[T]{Body: ResultEnvelope[T]{Status: true, Code: codeSuccess, Message: msg, Result: result}}
}
