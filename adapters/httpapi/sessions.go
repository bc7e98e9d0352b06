package httpapi

import (
	"context"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/session"
)

func (h *handlers) registerSessions() {
	const tag = "Sessions"
	user := func(id, method, path, summary string, also ...int) route {
		return route{id: id, method: method, path: path, tag: tag, summary: summary, access: accessUser, also: also,
			errors: []int{http.StatusNotFound, http.StatusConflict}}
	}
	register(h, user("getSessionCreate", http.MethodGet, "/api/v1/session/create",
		"Create or start a session and get its QR (202/1107 while a QR is pending, 1104 when open)", http.StatusAccepted), h.createSession)
	register(h, user("getSessionCreatePairCode", http.MethodGet, "/api/v1/session/create/pair-code",
		"Create or reuse a session and get a pairing code (202/1110 while pending)", http.StatusAccepted), h.pairSession)
	register(h, user("getSessionLogout", http.MethodGet, "/api/v1/session/logout",
		"Stop the runtime and purge credentials; the session stays, stopped"), h.logoutSession)
	register(h, user("getSessionReconnect", http.MethodGet, "/api/v1/session/reconnect",
		"Restart the session runtime (202/1109)", http.StatusAccepted), h.reconnectSession)
	register(h, user("getSessionDevices", http.MethodGet, "/api/v1/session/devices", "Linked device summary"), h.sessionDevices)
	register(h, user("postSessionSessionIdConfig", http.MethodPost, "/api/v1/session/{sessionId}/config",
		"Set the session webhook (400/2000 with the results when preflight fails; 400/1201 for a URL the network policy forbids)"), h.configureSession)
	register(h, user("getSessionList", http.MethodGet, "/api/v1/session/list", "List the caller's sessions"), h.listSessions)
	register(h, user("deleteSessionDelete", http.MethodDelete, "/api/v1/session/delete",
		"Stop the runtime, purge credentials and remove the session"), h.deleteSession)
}

// SessionSelector is WAREST's session selector (query sessionId, or its aliases id and session).
type SessionSelector struct {
	SessionID string `query:"sessionId" doc:"Session identifier. New ids match ^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$ and are unique ignoring case; lookups match the exact id. Aliases: id, session." example:"main"`
	ID        string `query:"id" hidden:"true"`
	Session   string `query:"session" hidden:"true"`
}

func (q SessionSelector) sessionID() string { return firstOf(q.SessionID, q.ID, q.Session) }

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// nullable maps "" to JSON null, as WAREST does for unset optional strings.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// wireStatus maps our statuses onto WAREST's list: it has no qr or pairing status,
// a session waiting for its login is "connecting" there.
func wireStatus(s session.Status) string {
	switch s {
	case session.StatusQR, session.StatusPairing:
		return "connecting"
	}
	return string(s)
}

type sessionCreateResult struct {
	RegistryUser string  `json:"registryUser" doc:"registry (tenant) of the session owner"`
	SessionID    string  `json:"sessionId"`
	QRString     *string `json:"qrString,omitempty" doc:"raw QR payload, present while a QR is pending"`
	QR           *string `json:"qr,omitempty" doc:"PNG data URL of the QR"`
	QRDuration   *int    `json:"qrDuration,omitempty" doc:"seconds until the QR expires"`
	WebhookURL   *string `json:"webhookUrl"`
	CreatedAt    string  `json:"createdAt"`
}

// createSession never returns the webhook secret: only the config route echoes it.
func (h *handlers) createSession(ctx context.Context, in *SessionSelector) (*Response[sessionCreateResult], error) {
	res, err := h.cmd.Sessions.CreateSession(ctx, principal(ctx), in.sessionID())
	if err != nil {
		return nil, err
	}
	s := res.Session
	out := sessionCreateResult{RegistryUser: s.Owner(), SessionID: s.ID(), WebhookURL: nullable(s.Webhook().URL), CreatedAt: isoTime(s.CreatedAt())}
	switch {
	case s.Status() == session.StatusOpen:
		return reply(http.StatusOK, 1104, "Session already open", out), nil
	case res.QR.Code != "":
		secs := max(0, int(math.Ceil(time.Until(res.QR.ExpiresAt).Seconds())))
		out.QRString, out.QR, out.QRDuration = &res.QR.Code, &res.QR.DataURL, &secs
		return reply(http.StatusAccepted, 1107, "Scan the QR to continue", out), nil
	}
	return success("Session created", out), nil
}

type pairQuery struct {
	SessionSelector
	Phone string `query:"phone" doc:"digits of the phone to link, country code included" example:"6281234567890"`
}

type pairResult struct {
	RegistryUser string `json:"registryUser"`
	SessionID    string `json:"sessionId"`
	PairCode     string `json:"pairCode" doc:"XXXX-XXXX; empty while pending or when already open" example:"ABCD-EFGH"`
	Status       string `json:"status"`
}

func (h *handlers) pairSession(ctx context.Context, in *pairQuery) (*Response[pairResult], error) {
	id := in.sessionID()
	// WAREST checks the session id before the phone.
	if err := session.ValidateLookup(id); err != nil {
		return nil, err
	}
	res, err := h.cmd.Sessions.PairSession(ctx, principal(ctx), id, in.Phone)
	if err != nil {
		return nil, err
	}
	s := res.Session
	out := pairResult{RegistryUser: s.Owner(), SessionID: s.ID(), PairCode: res.PairCode, Status: wireStatus(s.Status())}
	switch {
	case s.Status() == session.StatusOpen:
		return reply(http.StatusOK, 1104, "Session already open", out), nil
	case res.PairCode == "":
		return reply(http.StatusAccepted, 1110, "Pair code pending", out), nil
	}
	return success("Pair code generated", out), nil
}

type stepsResult struct {
	SessionID string `json:"sessionId"`
	Steps     steps  `json:"steps"`
}

type steps struct {
	Runtime bool  `json:"runtime"`
	Creds   bool  `json:"creds"`
	Meta    *bool `json:"meta,omitempty" doc:"delete only"`
}

func (h *handlers) logoutSession(ctx context.Context, in *SessionSelector) (*Response[stepsResult], error) {
	id := in.sessionID()
	st, err := h.cmd.Teardown.LogoutSession(ctx, principal(ctx), id)
	if err != nil {
		return nil, err
	}
	return success("Logout success", stepsResult{SessionID: id, Steps: steps{Runtime: st.Runtime, Creds: st.Creds}}), nil
}

func (h *handlers) deleteSession(ctx context.Context, in *SessionSelector) (*Response[stepsResult], error) {
	id := in.sessionID()
	st, err := h.cmd.Teardown.DeleteSession(ctx, principal(ctx), id)
	if err != nil {
		return nil, err
	}
	return success("Session deleted", stepsResult{SessionID: id, Steps: steps{Runtime: st.Runtime, Creds: st.Creds, Meta: &st.Meta}}), nil
}

// noResult is the item type of an always-empty results array.
type noResult struct{}

func (h *handlers) reconnectSession(ctx context.Context, in *SessionSelector) (*Response[noResult], error) {
	if err := h.cmd.Sessions.ReconnectSession(ctx, principal(ctx), in.sessionID()); err != nil {
		return nil, err
	}
	return reply[noResult](http.StatusAccepted, 1109, "Reconnect scheduled"), nil
}

type devicesResult struct {
	Name   *string `json:"name" doc:"push name, null when not linked"`
	Phone  *string `json:"phone" doc:"digits, null when not linked"`
	Device string  `json:"device" doc:"platform, WAREST when unknown"`
}

func (h *handlers) sessionDevices(ctx context.Context, in *SessionSelector) (*Response[devicesResult], error) {
	d, err := h.q.Sessions.Device(ctx, principal(ctx), in.sessionID())
	if err != nil {
		return nil, err
	}
	device := d.Platform
	if device == "" {
		device = "WAREST"
	}
	return success("Device Info", devicesResult{Name: nullable(d.Name), Phone: nullable(d.Phone), Device: device}), nil
}

type configInput struct {
	SessionID string `path:"sessionId"`
	Body      struct {
		_               struct{} `additionalProperties:"true"`
		WebhookURL      string   `json:"webhookUrl,omitempty" doc:"http(s) endpoint receiving events; empty disables delivery"`
		WebhookSecret   string   `json:"webhookSecret,omitempty" doc:"HMAC secret; generated for a first webhook, else the current one is kept. A new secret rotates it: the previous one keeps signing alongside (X-WAREST-Signature-Previous) for 24 h"`
		RotateSecret    bool     `json:"rotateSecret,omitempty" doc:"ours: generate a new secret (returned in this response) and rotate to it, the previous one signing alongside for 24 h"`
		Preflight       bool     `json:"preflight,omitempty" doc:"send a signed test request before saving"`
		PreflightVerify bool     `json:"preflightVerify,omitempty" hidden:"true"`
	}
}

type configResult struct {
	RegistryUser  string  `json:"registryUser"`
	SessionID     string  `json:"sessionId"`
	WebhookURL    *string `json:"webhookUrl"`
	WebhookSecret *string `json:"webhookSecret" doc:"returned by this route only"`
}

type preflightDTO struct {
	Target      string `json:"target"`
	OK          bool   `json:"ok"`
	Status      int    `json:"status"`
	RoundTripMs int64  `json:"roundTripMs"`
	Error       string `json:"error,omitempty"`
}

func (h *handlers) configureSession(ctx context.Context, in *configInput) (*Response[configResult], error) {
	b := in.Body
	s, err := h.cmd.Webhook.ConfigureWebhook(ctx, principal(ctx), in.SessionID,
		command.WebhookInput{URL: strings.TrimSpace(b.WebhookURL), Secret: b.WebhookSecret, RotateSecret: b.RotateSecret,
			Preflight: b.Preflight || b.PreflightVerify}, h.cfg.Webhook)
	if err != nil {
		return nil, err
	}
	w := s.Webhook()
	return success("Config updated", configResult{RegistryUser: s.Owner(), SessionID: s.ID(), WebhookURL: nullable(w.URL), WebhookSecret: nullable(w.Secret)}), nil
}

type listResult struct {
	Items []sessionItem `json:"items"`
}

type sessionItem struct {
	ID        string      `json:"id"`
	Status    string      `json:"status" enum:"starting,connecting,open,reconnecting,logged_out,replaced,stopped"`
	Me        *identityMe `json:"me"`
	PushName  *string     `json:"pushName"`
	LastConn  *string     `json:"lastConn" doc:"ISO time of the last successful connection"`
	LastError *string     `json:"lastError"`
}

type identityMe struct {
	ID   string  `json:"id"`
	Name string  `json:"name"`
	LID  *string `json:"lid"`
}

func (h *handlers) listSessions(ctx context.Context, _ *struct{}) (*Response[listResult], error) {
	list, err := h.q.Sessions.Sessions(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	items := make([]sessionItem, 0, len(list))
	for _, s := range list {
		it := sessionItem{ID: s.ID(), Status: wireStatus(s.Status()), LastError: nullable(s.LastError())}
		if me := s.Me(); me != nil {
			it.Me = &identityMe{ID: me.JID, Name: me.Name, LID: nullable(me.LID)}
			it.PushName = nullable(me.Name)
		}
		if t := s.LastConnAt(); t != nil {
			v := isoTime(*t)
			it.LastConn = &v
		}
		items = append(items, it)
	}
	return success("Sessions fetched", listResult{Items: items}), nil
}
