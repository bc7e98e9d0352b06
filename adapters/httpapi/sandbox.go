package httpapi

import (
	"context"
	"net/http"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// Sandbox control routes drive the virtual WhatsApp network: scan a QR as a phone,
// confirm a pair code, receive a message, read what a session sent. They exist only
// when the sandbox transport is wired.
func (h *handlers) registerSandbox() {
	const tag = "Sandbox"
	r := func(id, method, path, summary string) route {
		return route{id: id, method: method, path: "/api/v1/sandbox/sessions/{sessionId}" + path, tag: tag, summary: summary,
			access: accessUser, errors: []int{http.StatusNotFound, http.StatusConflict}}
	}
	register(h, r("postSandboxScan", http.MethodPost, "/scan", "Scan the session's QR with a virtual phone"), h.sandboxScan)
	register(h, r("postSandboxPairConfirm", http.MethodPost, "/pair-code/confirm", "Confirm a pair code on the virtual phone"), h.sandboxConfirm)
	register(h, r("postSandboxInbound", http.MethodPost, "/inbound", "Deliver a text message to the session"), h.sandboxInbound)
	register(h, r("getSandboxSent", http.MethodGet, "/sent", "Messages the session sent into the network"), h.sandboxSent)
}

// SessionPath selects a session by id in the path.
type SessionPath struct {
	SessionID string `path:"sessionId"`
}

// owned checks the caller may drive the session before touching the network.
func (h *handlers) owned(ctx context.Context, id string) error {
	_, err := h.q.Session(ctx, principal(ctx), id)
	return err
}

type sandboxScanInput struct {
	SessionPath
	Body struct {
		Phone    string `json:"phone" doc:"digits of the virtual phone" example:"6281234567890"`
		PushName string `json:"pushName,omitempty" example:"Sandbox Bot"`
		QR       string `json:"qr,omitempty" doc:"QR payload to scan; the current one when omitted"`
	}
}

type sandboxPaired struct {
	SessionID string `json:"sessionId"`
	Paired    bool   `json:"paired"`
}

func (h *handlers) sandboxScan(ctx context.Context, in *sandboxScanInput) (*Response[sandboxPaired], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	qr := in.Body.QR
	if qr == "" {
		current, ok := h.sandbox.CurrentQR(in.SessionID)
		if !ok {
			return nil, fault.FailedPrecondition(fault.ReasonInvalidState, "session %s shows no QR", in.SessionID)
		}
		qr = current
	}
	if err := h.sandbox.Scan(in.SessionID, qr, in.Body.Phone, in.Body.PushName); err != nil {
		return nil, err
	}
	return success("QR scanned", sandboxPaired{SessionID: in.SessionID, Paired: true}), nil
}

type sandboxConfirmInput struct {
	SessionPath
	Body struct {
		Code string `json:"code" example:"ABCD-EFGH"`
	}
}

func (h *handlers) sandboxConfirm(ctx context.Context, in *sandboxConfirmInput) (*Response[sandboxPaired], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	if err := h.sandbox.ConfirmPairCode(in.SessionID, in.Body.Code); err != nil {
		return nil, err
	}
	return success("Pair code confirmed", sandboxPaired{SessionID: in.SessionID, Paired: true}), nil
}

type sandboxInboundInput struct {
	SessionPath
	Body struct {
		From     string `json:"from" doc:"sender phone digits" example:"6289876543210"`
		PushName string `json:"pushName,omitempty"`
		Text     string `json:"text" minLength:"1"`
	}
}

type sandboxInboundResult struct {
	MessageID string `json:"messageId"`
}

func (h *handlers) sandboxInbound(ctx context.Context, in *sandboxInboundInput) (*Response[sandboxInboundResult], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	id, err := h.sandbox.Inject(in.SessionID, ports.SandboxInbound{From: in.Body.From, PushName: in.Body.PushName, Content: message.TextContent(in.Body.Text)})
	if err != nil {
		return nil, err
	}
	return success("Message delivered", sandboxInboundResult{MessageID: id}), nil
}

type sandboxSentMessage struct {
	MessageID string  `json:"messageId"`
	To        string  `json:"to"`
	Kind      string  `json:"kind"`
	Text      string  `json:"text"`
	QuotedID  *string `json:"quotedMessageId"`
	Forwarded bool    `json:"isForwarded"`
	CreatedAt string  `json:"createdAt"`
}

func (h *handlers) sandboxSent(ctx context.Context, in *SessionPath) (*Response[sandboxSentMessage], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	sent := h.sandbox.Sent(in.SessionID)
	out := make([]sandboxSentMessage, len(sent))
	for i, m := range sent {
		out[i] = sandboxSentMessage{MessageID: m.ID, To: m.To.String(), Kind: string(m.Content.Kind), Text: m.Content.Text,
			QuotedID: nullable(quotedID(m.Content)), Forwarded: m.Content.Forwarded, CreatedAt: isoTime(m.CreatedAt)}
	}
	return success("Sent messages", out...), nil
}
