package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
)

// registerMessages adds every /api/v1/messages route: the send routes
// (messages_send.go, messages_media.go), message and chat actions
// (messages_actions.go) and the status of an outbound message.
func (h *handlers) registerMessages() {
	h.registerSendRoutes()
	h.registerMediaRoutes()
	h.registerActionRoutes()
	h.registerMessageMedia()
	register(h, route{id: "getMessageStatus", method: http.MethodGet, path: "/api/v1/messages/{messageId}/status", tag: "Messages - Status",
		summary: "Delivery state of an outbound message", access: accessUser, errors: []int{http.StatusNotFound}}, h.messageStatus)
}

// sendRoute describes a send operation: 202 queued, 207 partial, 502 all failed,
// 409 for an Idempotency-Key reused with another body, 429 for limits.
func sendRoute(id, method, path, summary string) route {
	return route{id: id, method: method, path: path, tag: "Messages - Sending", access: accessUser, summary: summary,
		also:   []int{http.StatusAccepted, http.StatusMultiStatus, http.StatusBadGateway},
		errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusTooManyRequests}}
}

// Recipients is `to`: a string (split on , ; or newlines) or an array of strings.
type Recipients []string

func (r *Recipients) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*r = Recipients{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("to must be a string or an array of strings")
	}
	*r = many
	return nil
}

// Schema documents (and makes huma validate) the two accepted forms.
func (Recipients) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{
		Description: "Digits, JID or LID; a string may list several separated by , ; or newlines.",
		OneOf: []*huma.Schema{
			{Type: huma.TypeString, Examples: []any{"6281234567890"}},
			{Type: huma.TypeArray, Items: &huma.Schema{Type: huma.TypeString}},
		},
	}
}

// Presence is WAREST's `presence`: a boolean, a number, or a state alias.
type Presence string

func (p *Presence) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = Presence(strings.TrimSpace(fmt.Sprint(v)))
	if v == nil {
		*p = ""
	}
	return nil
}

func (Presence) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{
		Description: "Show a chat state before sending: true (typing, or recording on audio routes), or typing, recording, online…",
		OneOf:       []*huma.Schema{{Type: huma.TypeBoolean}, {Type: huma.TypeString}, {Type: huma.TypeNumber}},
	}
}

// state maps WAREST's aliases; audio routes default to recording.
func (p Presence) state(audio bool) message.Presence {
	switch strings.ToLower(string(p)) {
	case "", "false", "0", "no", "off", "offline", "unavailable", "paused":
		return message.PresenceNone
	case "recording", "rec", "audio", "voice", "ptt":
		return message.PresenceRecording
	case "typing", "compose", "composing", "writing":
		return message.PresenceComposing
	}
	if audio {
		return message.PresenceRecording
	}
	return message.PresenceComposing
}

// SendOptions are the fields every send route shares, with WAREST's aliases.
type SendOptions struct {
	SessionID       string     `json:"sessionId,omitempty" doc:"session to send from (or give phone)" example:"main"`
	Phone           string     `json:"phone,omitempty" doc:"digits of the sending session's own number, instead of sessionId"`
	To              Recipients `json:"to,omitempty"`
	JID             Recipients `json:"jid,omitempty" hidden:"true"`
	Target          Recipients `json:"target,omitempty" hidden:"true"`
	Number          Recipients `json:"number,omitempty" hidden:"true"`
	Presence        Presence   `json:"presence,omitempty"`
	ReplyMessageID  string     `json:"replyMessageId,omitempty" doc:"message id to quote"`
	QuotedMessageID string     `json:"quotedMessageId,omitempty" hidden:"true"`
	ReplyID         string     `json:"replyId,omitempty" hidden:"true"`
	IsForwarded     bool       `json:"isForwarded,omitempty"`
	Forwarded       bool       `json:"forwarded,omitempty" hidden:"true"`
}

// SendHeaders are the headers of a send request.
type SendHeaders struct {
	IdempotencyKey string `header:"Idempotency-Key" doc:"retries with the same key and body within 24 h return the first request's messages and send nothing new; the same key with another body is a 409" maxLength:"255"`
}

func firstList(lists ...Recipients) []string {
	for _, l := range lists {
		if len(l) > 0 {
			return l
		}
	}
	return nil
}

// input builds the common part of a send from the options.
func (o SendOptions) input(selector SessionSelector, hdr SendHeaders, audio bool, body any) command.SendInput {
	in := command.SendInput{SessionID: firstOf(o.SessionID, selector.sessionID()), Phone: o.Phone,
		To: firstList(o.To, o.JID, o.Target, o.Number), Presence: o.Presence.state(audio), IdempotencyKey: hdr.IdempotencyKey}
	in.Content.Forwarded = o.IsForwarded || o.Forwarded
	if id := firstOf(o.ReplyMessageID, o.QuotedMessageID, o.ReplyID); id != "" {
		in.Content.Reply = &message.Reference{ID: id}
	}
	if hdr.IdempotencyKey != "" {
		in.RequestHash = bodyHash(body)
	}
	return in
}

// bodyHash fingerprints a parsed request for Idempotency-Key checks.
func bodyHash(parts ...any) string {
	h := sha256.New()
	for _, p := range parts {
		if b, ok := p.([]byte); ok {
			h.Write(b)
			continue
		}
		_ = json.NewEncoder(h).Encode(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sendResult is WAREST's per-recipient SendResult plus our state and error.
type sendResult struct {
	Phone        string         `json:"phone" doc:"digits of the session's own number"`
	To           string         `json:"to" doc:"recipient without domain"`
	ToJID        string         `json:"toJid"`
	MessageID    *string        `json:"messageId" doc:"null on send/files, where each file has its own id"`
	Status       string         `json:"status" doc:"\"<type> success\", \"<type> queued\" or \"<type> failed\""`
	Timestamp    int64          `json:"timestamp" doc:"unix seconds"`
	AdvancedInfo map[string]any `json:"advancedInfo" doc:"isForwarded, quotedMessageId and the route's extras"`
	State        string         `json:"state" enum:"queued,sent,delivered,read,played,failed"`
	Error        string         `json:"error,omitempty"`
	ErrorCode    int            `json:"errorCode,omitempty" doc:"app code of the failure (e.g. 3003 not on WhatsApp, 2604 group not found)"`
	failure      rule           // where the failure ends up on the wire
}

// failedAs marks the result failed for the message's reason code.
func (r *sendResult) failedAs(code fault.Reason) {
	r.failure = failureRule(code)
	r.ErrorCode = r.failure.code
}

// sendEnvelope adds WAREST's top-level `failed` list.
type sendEnvelope struct {
	Envelope[sendResult]
	Failed []sendResult `json:"failed,omitempty" doc:"the failed recipients: on 207, and on a 4xx when every recipient was refused"`
}

type sendResponse struct {
	Status   int
	Replayed string `header:"Idempotent-Replayed"`
	Body     sendEnvelope
}

// labelOf is WAREST's status label of a message.
func labelOf(m message.Outbound) string {
	c := m.Content
	switch c.Kind {
	case message.KindVideo:
		if c.Media != nil && c.Media.GIF {
			return "gif"
		}
	case message.KindAudio:
		if c.Media != nil && c.Media.PTT {
			return "ptt"
		}
	case message.KindButtons:
		return "interactive button"
	case message.KindList:
		return "interactive list"
	}
	return string(c.Kind)
}

// extras adds the route-specific advancedInfo fields of one result.
type extras func(command.SendResult) map[string]any

// renderSend turns per-recipient results into WAREST's response: 200 all sent, 202
// some still queued, 207 partial failure (with `failed`), 502 all failed.
func renderSend(title string, results []command.SendResult, more extras) *sendResponse {
	out := make([]sendResult, len(results))
	var failed []sendResult
	queued, replayed := 0, false
	for i, r := range results {
		out[i] = toSendResult(r, labelOf(r.Message), more)
		replayed = replayed || r.Replayed
		switch r.Message.Status {
		case message.StatusFailed:
			failed = append(failed, out[i])
		case message.StatusQueued:
			queued++
		}
	}
	return envelopeFor(title, out, failed, queued, replayed)
}

func envelopeFor(title string, out, failed []sendResult, queued int, replayed bool) *sendResponse {
	var resp sendResponse
	resp.Body.Results = out
	suffix := ""
	if len(out) > 1 {
		suffix = " (" + strconv.Itoa(len(out)) + " recipients)"
	}
	switch {
	case len(out) > 0 && len(failed) == len(out):
		// A refusal for good (not on WhatsApp, no such group...) is the request's
		// fault and answered at once as a 4xx with the reasons; WAREST's 502 stays
		// for failures of the network.
		r := sharedFailure(failed)
		resp.Status, resp.Body.Code, resp.Body.Message = r.status, r.code, title+" message failed"+suffix
		if len(out) == 1 && failed[0].Error != "" {
			resp.Body.Message += ": " + failed[0].Error
		}
		if r.status < 500 {
			resp.Body.Failed = failed
		}
	case len(failed) > 0:
		resp.Status, resp.Body.Code, resp.Body.Message = http.StatusMultiStatus, 1004, title+" message partially sent"+suffix
		resp.Body.Failed = failed
	case queued > 0:
		resp.Status, resp.Body.Code, resp.Body.Message = http.StatusAccepted, 1002, title+" message queued"+suffix
	default:
		resp.Status, resp.Body.Code, resp.Body.Message = http.StatusOK, codeSuccess, title+" message sent"+suffix
	}
	if replayed {
		resp.Replayed = "true"
	}
	resp.Body.Status = is2xx(resp.Status)
	return &resp
}

func statusLabel(label string, s message.Status) string {
	switch s {
	case message.StatusQueued:
		return label + " queued"
	case message.StatusFailed:
		return label + " failed"
	}
	return label + " success"
}

func toSendResult(r command.SendResult, label string, more extras) sendResult {
	m := r.Message
	info := map[string]any{"isForwarded": m.Content.Forwarded, "quotedMessageId": nullable(quotedID(m.Content))}
	if more != nil {
		for k, v := range more(r) {
			info[k] = v
		}
	}
	res := sendResult{Phone: r.OwnerPhone, To: m.To.User, ToJID: m.To.String(), MessageID: &m.ID, Status: statusLabel(label, m.Status),
		Timestamp: m.UpdatedAt.Unix(), AdvancedInfo: info, State: string(m.Status), Error: m.FailReason}
	if m.Status == message.StatusFailed {
		res.failedAs(m.FailCode)
	}
	return res
}

type messageStatusInput struct {
	SessionSelector
	MessageID string `path:"messageId"`
}

type messageStatusResult struct {
	MessageID string  `json:"messageId"`
	SessionID string  `json:"sessionId"`
	To        string  `json:"to" doc:"recipient JID"`
	Status    string  `json:"status" enum:"queued,sent,delivered,read,played,failed"`
	Reason    *string `json:"reason" doc:"why it failed"`
	Attempts  int     `json:"attempts"`
	CreatedAt string  `json:"createdAt"`
	UpdatedAt string  `json:"updatedAt"`
}

func (h *handlers) messageStatus(ctx context.Context, in *messageStatusInput) (*Response[messageStatusResult], error) {
	m, err := h.q.Sessions.Message(ctx, principal(ctx), in.sessionID(), strings.TrimSpace(in.MessageID))
	if err != nil {
		return nil, err
	}
	return success("Message status", messageStatusResult{MessageID: m.ID, SessionID: m.SessionID, To: m.To.String(),
		Status: string(m.Status), Reason: nullable(m.FailReason), Attempts: m.Attempts,
		CreatedAt: isoTime(m.CreatedAt), UpdatedAt: isoTime(m.UpdatedAt)}), nil
}

func quotedID(c message.Content) string {
	if c.Reply == nil {
		return ""
	}
	return c.Reply.ID
}
