package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/domain/fault"
)

// Sandbox control routes drive the virtual WhatsApp network: they play the phone
// that scans a QR, confirms a pair code or syncs history, the people who write to,
// call, read, react to and type at a session, and the network's failures. They
// exist only when the sandbox transport is wired. The network's people are shared
// by every user's sessions, so only admins create or change them; users drive
// their own sessions and what people do towards those.
func (h *handlers) registerSandbox() {
	const tag = "Sandbox"
	h.api.OpenAPI().Tags = append(h.api.OpenAPI().Tags, &huma.Tag{Name: tag,
		Description: "The virtual WhatsApp network (`WAREST_TRANSPORT=sandbox`): virtual phones, people, groups, inbound traffic and faults."})
	r := func(id, method, path, summary string, errs ...int) route {
		return route{id: id, method: method, path: "/api/v1/sandbox" + path, tag: tag, summary: summary,
			access: accessUser, errors: append([]int{http.StatusNotFound, http.StatusConflict}, errs...)}
	}
	s := "/sessions/{sessionId}"
	register(h, r("postSandboxScan", http.MethodPost, s+"/scan", "Scan the session's QR with a virtual phone"), h.sandboxScan)
	register(h, r("postSandboxPairConfirm", http.MethodPost, s+"/pair-code/confirm", "Confirm a pair code on the virtual phone"), h.sandboxConfirm)
	register(h, r("postSandboxInbound", http.MethodPost, s+"/inbound", "Deliver a message of any kind from a virtual person, directly or into a group",
		http.StatusForbidden), h.sandboxInbound)
	register(h, r("getSandboxSent", http.MethodGet, s+"/sent", "Messages the session sent into the network"), h.sandboxSent)
	register(h, r("getSandboxAttempts", http.MethodGet, s+"/attempts",
		"Every send of the session that reached the network, repeats of a message id included"), h.sandboxAttempts)
	register(h, r("getSandboxState", http.MethodGet, s+"/state", "Stars, deletions and chat settings of the session's account"), h.sandboxState)

	register(h, r("getSandboxContacts", http.MethodGet, "/contacts", "List the virtual contacts"), h.sandboxContacts)
	admin := func(rt route) route { rt.access = accessAdmin; return rt }
	register(h, admin(r("postSandboxContact", http.MethodPost, "/contacts",
		"Create or update a virtual contact (admin: every user's sessions see the same people)")), h.sandboxAddContact)
	register(h, r("postSandboxContactRead", http.MethodPost, s+"/contacts/{phone}/read", "Make a virtual contact read (and play) the session's messages"),
		h.sandboxRead)
	register(h, r("postSandboxContactReact", http.MethodPost, s+"/contacts/{phone}/react", "Make a virtual contact react to a message",
		http.StatusForbidden), h.sandboxReact)
	register(h, r("postSandboxContactPresence", http.MethodPost, s+"/contacts/{phone}/presence",
		"Make a virtual contact go online or offline, or type, record or pause"), h.sandboxPresence)
	register(h, r("postSandboxGroup", http.MethodPost, s+"/groups", "Create a group of virtual people that includes the session"), h.sandboxGroup)
	register(h, r("postSandboxContactJoin", http.MethodPost, s+"/contacts/{phone}/join",
		"Make a virtual contact join a group by invite link, or ask to where admins approve joins"), h.sandboxJoin)
	register(h, r("postSandboxCall", http.MethodPost, s+"/calls", "Make a virtual person call the session: an offer, then optionally accept, reject or terminate",
		http.StatusForbidden), h.sandboxCall)
	register(h, r("postSandboxHistory", http.MethodPost, s+"/history", "Deliver a history-sync chunk of old messages between the session and virtual people",
		http.StatusForbidden), h.sandboxHistory)
	register(h, r("postSandboxUndecryptable", http.MethodPost, s+"/undecryptable", "Deliver a message from a virtual person that the session cannot decrypt",
		http.StatusForbidden), h.sandboxUndecryptable)

	register(h, r("putSandboxFaults", http.MethodPut, s+"/faults", "Make the session's sends fail at a rate and take longer"), h.sandboxFaults)
	register(h, r("postSandboxDisconnect", http.MethodPost, s+"/faults/disconnect", "Drop the session's connection; it reconnects by itself"),
		h.sandboxDisconnect)
	register(h, r("postSandboxLogout", http.MethodPost, s+"/faults/logout", "Unlink the session's device from the virtual phone"), h.sandboxLogout)
	register(h, r("postSandboxReplace", http.MethodPost, s+"/faults/replace", "Let another client take over the session's stream"), h.sandboxReplace)
	register(h, admin(r("getSandboxReplacements", http.MethodGet, "/replacements",
		"Every connection of a session's device that replaced another gateway's (admin: all sessions)")), h.sandboxReplacements)
}

// SessionPath selects a session by id in the path.
type SessionPath struct {
	SessionID string `path:"sessionId"`
}

// owned checks the caller may drive the session before touching the network.
func (h *handlers) owned(ctx context.Context, id string) error {
	_, err := h.q.Sessions.Session(ctx, principal(ctx), id)
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

type sandboxSentMessage struct {
	MessageID string   `json:"messageId"`
	To        string   `json:"to"`
	Kind      string   `json:"kind"`
	Text      string   `json:"text"`
	QuotedID  *string  `json:"quotedMessageId"`
	Forwarded bool     `json:"isForwarded"`
	VCards    []string `json:"vcards,omitempty" doc:"a contact message's vCards"`
	CreatedAt string   `json:"createdAt"`
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
		for _, c := range m.Content.Contacts {
			out[i].VCards = append(out[i].VCards, c.VCard)
		}
	}
	return success("Sent messages", out...), nil
}

type sandboxSendAttempt struct {
	MessageID string `json:"messageId"`
	At        string `json:"at"`
	Repeat    bool   `json:"repeat" doc:"the network had already taken this id; the recipient got it once"`
	Client    string `json:"client" doc:"the gateway process that sent it on a shared network; empty for the network's own process"`
}

func (h *handlers) sandboxAttempts(ctx context.Context, in *SessionPath) (*Response[sandboxSendAttempt], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	attempts := h.sandbox.Attempts(in.SessionID)
	out := make([]sandboxSendAttempt, len(attempts))
	for i, a := range attempts {
		out[i] = sandboxSendAttempt{MessageID: a.ID, At: isoTime(a.At), Repeat: a.Repeat, Client: a.Client}
	}
	return success("Send attempts", out...), nil
}

type sandboxReplacement struct {
	SessionID string `json:"sessionId"`
	Replaced  string `json:"replaced" doc:"the client whose connection ended with stream replaced"`
	By        string `json:"by" doc:"the client that connected the device"`
	At        string `json:"at"`
	Live      bool   `json:"live" doc:"the replaced client was still attached: two live gateways wanted the device"`
}

func (h *handlers) sandboxReplacements(context.Context, *struct{}) (*Response[sandboxReplacement], error) {
	list := h.sandbox.Replacements()
	out := make([]sandboxReplacement, len(list))
	for i, r := range list {
		out[i] = sandboxReplacement{SessionID: r.SessionID, Replaced: r.Replaced, By: r.By, At: isoTime(r.At), Live: r.Live}
	}
	return success("Stream replacements", out...), nil
}
