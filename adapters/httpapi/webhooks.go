package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

func (h *handlers) registerWebhooks() {
	const tag = "Webhooks"
	created := func(r route) route { r.status = http.StatusCreated; return r }
	accepted := func(r route) route { r.status = http.StatusAccepted; return r }
	op := func(id, method, path, summary string, errs ...int) route {
		return route{id: id, method: method, path: path, tag: tag, summary: summary, access: accessUser,
			errors: append([]int{http.StatusNotFound}, errs...)}
	}
	register(h, op("postWebhooksPreflight", http.MethodPost, "/api/webhooks/preflight",
		"Send one signed test request (event preflight) and report how the receiver answered. A target that gave no answer reads \"target unreachable or not allowed\" for non-admins, whatever the cause"), h.preflight)
	register(h, op("getWebhookSubscriptions", http.MethodGet, "/api/v1/webhooks/subscriptions",
		"List a session's webhook subscriptions (the session config's own webhook is the one with id primary:<sessionId>)"), h.listSubscriptions)
	register(h, created(op("postWebhookSubscriptions", http.MethodPost, "/api/v1/webhooks/subscriptions",
		"Add a webhook subscription with an event filter and a signing mode; the secret is shown once")), h.createSubscription)
	register(h, op("getWebhookSubscription", http.MethodGet, "/api/v1/webhooks/subscriptions/{subscriptionId}",
		"One subscription, with its failure count"), h.getSubscription)
	register(h, op("patchWebhookSubscription", http.MethodPatch, "/api/v1/webhooks/subscriptions/{subscriptionId}",
		"Change URL, event filter or enabled state (enabling clears the failure count)"), h.updateSubscription)
	register(h, op("deleteWebhookSubscription", http.MethodDelete, "/api/v1/webhooks/subscriptions/{subscriptionId}",
		"Remove a subscription", http.StatusConflict), h.deleteSubscription)
	register(h, op("postWebhookSubscriptionRotate", http.MethodPost, "/api/v1/webhooks/subscriptions/{subscriptionId}/rotate",
		"Rotate the secret: the previous one keeps signing alongside during the overlap"), h.rotateSubscription)
	register(h, op("getWebhookDeliveries", http.MethodGet, "/api/v1/webhooks/deliveries",
		"List deliveries, newest first, by session, status, event or subscription"), h.listDeliveries)
	register(h, op("getWebhookDeadLetters", http.MethodGet, "/api/v1/webhooks/dead-letters",
		"Deliveries that gave up (retries exhausted, rejected, or subscription disabled)"), h.deadLetters)
	register(h, op("getWebhookDelivery", http.MethodGet, "/api/v1/webhooks/deliveries/{deliveryId}",
		"One delivery with its attempt history"), h.getDelivery)
	register(h, accepted(op("postWebhookDeliveryRedeliver", http.MethodPost, "/api/v1/webhooks/deliveries/{deliveryId}/redeliver",
		"Deliver again now, with a fresh retry window")), h.redeliver)
	register(h, accepted(op("postWebhookDeliveriesRedeliver", http.MethodPost, "/api/v1/webhooks/deliveries/redeliver",
		"Deliver again every delivery matching a filter (e.g. all dead letters of a session in a time range)")), h.redeliverMatching)
}

// --- preflight ---

type preflightInput struct {
	Body struct {
		SessionID string `json:"sessionId" example:"main"`
		URL       string `json:"url" example:"https://hooks.example.com/warest"`
		Secret    string `json:"secret,omitempty" doc:"defaults to the session's webhook secret"`
	}
}

// preflightBody keeps WAREST's {ok, results} next to the envelope fields.
type preflightBody struct {
	Status  bool           `json:"status"`
	Code    int            `json:"code"`
	Message string         `json:"message"`
	OK      bool           `json:"ok"`
	Results []preflightDTO `json:"results"`
}

type preflightOutput struct {
	Status int
	Body   preflightBody
}

func (h *handlers) preflight(ctx context.Context, in *preflightInput) (*preflightOutput, error) {
	res, err := h.cmd.Webhook.PreflightWebhook(ctx, principal(ctx), in.Body.SessionID, in.Body.URL, in.Body.Secret, h.cfg.Webhook)
	if err != nil {
		return nil, err
	}
	dto := preflightDTO{Target: res.Target, OK: res.OK, Status: res.Status, RoundTripMs: res.RoundTripMs, Error: res.Error}
	out := &preflightOutput{Status: http.StatusOK, Body: preflightBody{Status: true, Code: codeSuccess, Message: "Preflight delivered", OK: true, Results: []preflightDTO{dto}}}
	if !res.OK {
		out.Status = http.StatusBadRequest
		out.Body = preflightBody{Status: false, Code: codePreflightFail, Message: "Webhook preflight failed", Results: []preflightDTO{dto}}
	}
	return out, nil
}

// --- subscriptions ---

type subscriptionDTO struct {
	ID             string   `json:"id"`
	SessionID      string   `json:"sessionId"`
	URL            string   `json:"url"`
	Events         []string `json:"events" doc:"event types delivered; empty means all"`
	Mode           string   `json:"mode" enum:"warest,standard"`
	Algorithm      int      `json:"algorithm,omitempty" doc:"SHA-2 bits of the WAREST signature; 0 uses the server default"`
	Enabled        bool     `json:"enabled"`
	Failures       int      `json:"failures" doc:"consecutive events that could not be delivered"`
	DisabledReason string   `json:"disabledReason,omitempty"`
	Secret         string   `json:"secret,omitempty" doc:"present only when the secret is created or rotated"`
	RotatingUntil  *string  `json:"rotatingUntil" doc:"until when the previous secret still signs too"`
	CreatedAt      string   `json:"createdAt"`
	UpdatedAt      string   `json:"updatedAt"`
}

func toSubscriptionDTO(s webhook.Subscription, withSecret bool, now time.Time) subscriptionDTO {
	d := subscriptionDTO{ID: s.ID, SessionID: s.SessionID, URL: s.URL, Events: s.Events, Mode: string(s.Mode), Algorithm: int(s.Algorithm),
		Enabled: s.Enabled, Failures: s.Failures, DisabledReason: s.DisabledReason, CreatedAt: isoTime(s.CreatedAt), UpdatedAt: isoTime(s.UpdatedAt)}
	if d.Events == nil {
		d.Events = []string{}
	}
	if d.Mode == "" {
		d.Mode = string(webhook.ModeWAREST)
	}
	if withSecret {
		d.Secret = s.Secret
	}
	if s.PreviousSecret != "" && now.Before(s.PreviousUntil) {
		t := isoTime(s.PreviousUntil)
		d.RotatingUntil = &t
	}
	return d
}

type subscriptionsQuery struct {
	SessionSelector
}

func (h *handlers) listSubscriptions(ctx context.Context, in *subscriptionsQuery) (*Response[subscriptionDTO], error) {
	list, err := h.q.Webhooks.Subscriptions(ctx, principal(ctx), in.sessionID())
	if err != nil {
		return nil, err
	}
	out := make([]subscriptionDTO, len(list))
	for i, s := range list {
		out[i] = toSubscriptionDTO(s, false, time.Now())
	}
	return success("Subscriptions fetched", out...), nil
}

type createSubscriptionInput struct {
	Body struct {
		SessionID string   `json:"sessionId" example:"main"`
		URL       string   `json:"url" example:"https://hooks.example.com/warest"`
		Secret    string   `json:"secret,omitempty" doc:"generated when empty (whsec_… in standard mode)"`
		Events    []string `json:"events,omitempty" doc:"event types to deliver; empty or absent means all" example:"[\"message_received\"]"`
		Mode      string   `json:"mode,omitempty" enum:"warest,standard" default:"warest"`
		Algorithm int      `json:"algorithm,omitempty" enum:"0,224,256,384,512"`
	}
}

func (h *handlers) createSubscription(ctx context.Context, in *createSubscriptionInput) (*Response[subscriptionDTO], error) {
	b := in.Body
	s, err := h.cmd.Subscriptions.CreateSubscription(ctx, principal(ctx), command.SubscriptionInput{SessionID: b.SessionID, URL: b.URL,
		Secret: b.Secret, Events: b.Events, Mode: webhook.Mode(b.Mode), Algorithm: webhook.Algorithm(b.Algorithm)})
	if err != nil {
		return nil, err
	}
	return reply(http.StatusCreated, codeSuccess, "Subscription created", toSubscriptionDTO(s, true, time.Now())), nil
}

type SubscriptionPath struct {
	SubscriptionID string `path:"subscriptionId"`
}

func (h *handlers) getSubscription(ctx context.Context, in *SubscriptionPath) (*Response[subscriptionDTO], error) {
	s, err := h.q.Webhooks.Subscription(ctx, principal(ctx), in.SubscriptionID)
	if err != nil {
		return nil, err
	}
	return success("Subscription fetched", toSubscriptionDTO(s, false, time.Now())), nil
}

type updateSubscriptionInput struct {
	SubscriptionPath
	Body struct {
		URL     *string   `json:"url,omitempty"`
		Events  *[]string `json:"events,omitempty"`
		Enabled *bool     `json:"enabled,omitempty"`
	}
}

func (h *handlers) updateSubscription(ctx context.Context, in *updateSubscriptionInput) (*Response[subscriptionDTO], error) {
	s, err := h.cmd.Subscriptions.UpdateSubscription(ctx, principal(ctx), in.SubscriptionID,
		command.SubscriptionPatch{URL: in.Body.URL, Events: in.Body.Events, Enabled: in.Body.Enabled})
	if err != nil {
		return nil, err
	}
	return success("Subscription updated", toSubscriptionDTO(s, false, time.Now())), nil
}

func (h *handlers) deleteSubscription(ctx context.Context, in *SubscriptionPath) (*Response[subscriptionDTO], error) {
	if err := h.cmd.Subscriptions.DeleteSubscription(ctx, principal(ctx), in.SubscriptionID); err != nil {
		return nil, err
	}
	return success[subscriptionDTO]("Subscription deleted"), nil
}

type rotateInput struct {
	SubscriptionPath
	Body struct {
		Secret         string `json:"secret,omitempty" doc:"the new secret; generated when empty"`
		OverlapSeconds int    `json:"overlapSeconds,omitempty" doc:"how long the previous secret keeps signing (default 86400)" minimum:"0"`
	}
}

func (h *handlers) rotateSubscription(ctx context.Context, in *rotateInput) (*Response[subscriptionDTO], error) {
	s, err := h.cmd.Subscriptions.RotateSubscriptionSecret(ctx, principal(ctx), in.SubscriptionID, in.Body.Secret,
		time.Duration(in.Body.OverlapSeconds)*time.Second)
	if err != nil {
		return nil, err
	}
	return success("Secret rotated", toSubscriptionDTO(s, true, time.Now())), nil
}

// --- deliveries ---

type deliveryDTO struct {
	ID             string  `json:"id"`
	EventID        string  `json:"eventId"`
	SessionID      string  `json:"sessionId"`
	SubscriptionID string  `json:"subscriptionId"`
	URL            string  `json:"url"`
	Status         string  `json:"status" enum:"pending,delivered,dead"`
	Attempts       int     `json:"attempts"`
	NextAttemptAt  *string `json:"nextAttemptAt"`
	LastStatus     int     `json:"lastStatus" doc:"HTTP status of the last attempt; 0 when none came back"`
	LastError      string  `json:"lastError,omitempty"`
	CreatedAt      string  `json:"createdAt"`
	UpdatedAt      string  `json:"updatedAt"`
}

func toDeliveryDTO(d webhook.Delivery) deliveryDTO {
	out := deliveryDTO{ID: d.ID, EventID: d.EventID, SessionID: d.SessionID, SubscriptionID: d.SubscriptionID, URL: d.URL,
		Status: string(d.Status), Attempts: d.Attempts, LastStatus: d.LastStatus, LastError: d.LastError,
		CreatedAt: isoTime(d.CreatedAt), UpdatedAt: isoTime(d.UpdatedAt)}
	if d.Status == webhook.DeliveryPending {
		t := isoTime(d.NextAttemptAt)
		out.NextAttemptAt = &t
	}
	return out
}

type deliveryFilterInput struct {
	SessionSelector
	Status         string `query:"status" enum:"pending,delivered,dead"`
	Event          string `query:"eventId"`
	SubscriptionID string `query:"subscriptionId"`
	From           string `query:"from" doc:"created at or after (RFC 3339)"`
	To             string `query:"to" doc:"created before (RFC 3339)"`
	Limit          int    `query:"limit" minimum:"0" maximum:"1000" default:"100"`
}

func (in deliveryFilterInput) filter() (ports.DeliveryFilter, error) {
	f := ports.DeliveryFilter{Status: webhook.DeliveryStatus(in.Status), EventID: in.Event, SubscriptionID: in.SubscriptionID, Limit: in.Limit}
	if id := in.sessionID(); id != "" {
		f.SessionIDs = []string{id}
	}
	var err error
	if f.CreatedFrom, err = optionalTime("from", in.From); err != nil {
		return f, err
	}
	f.CreatedTo, err = optionalTime("to", in.To)
	return f, err
}

func (h *handlers) listDeliveries(ctx context.Context, in *deliveryFilterInput) (*Response[deliveryDTO], error) {
	f, err := in.filter()
	if err != nil {
		return nil, err
	}
	return h.deliveries(ctx, f, "Deliveries fetched")
}

type deadLettersInput struct {
	SessionSelector
	Limit int `query:"limit" minimum:"0" maximum:"1000" default:"100"`
}

func (h *handlers) deadLetters(ctx context.Context, in *deadLettersInput) (*Response[deliveryDTO], error) {
	f := ports.DeliveryFilter{Status: webhook.DeliveryDead, Limit: in.Limit}
	if id := in.sessionID(); id != "" {
		f.SessionIDs = []string{id}
	}
	return h.deliveries(ctx, f, "Dead letters fetched")
}

func (h *handlers) deliveries(ctx context.Context, f ports.DeliveryFilter, msg string) (*Response[deliveryDTO], error) {
	list, err := h.q.Webhooks.Deliveries(ctx, principal(ctx), f)
	if err != nil {
		return nil, err
	}
	out := make([]deliveryDTO, len(list))
	for i, d := range list {
		out[i] = toDeliveryDTO(d)
	}
	return success(msg, out...), nil
}

type deliveryPath struct {
	DeliveryID string `path:"deliveryId"`
}

func (h *handlers) getDelivery(ctx context.Context, in *deliveryPath) (*Response[deliveryDTO], error) {
	d, err := h.q.Webhooks.Delivery(ctx, principal(ctx), in.DeliveryID)
	if err != nil {
		return nil, err
	}
	return success("Delivery fetched", toDeliveryDTO(d)), nil
}

func (h *handlers) redeliver(ctx context.Context, in *deliveryPath) (*Response[deliveryDTO], error) {
	d, err := h.cmd.Subscriptions.Redeliver(ctx, principal(ctx), in.DeliveryID)
	if err != nil {
		return nil, err
	}
	return reply(http.StatusAccepted, codeAcceptedWork, "Redelivery scheduled", toDeliveryDTO(d)), nil
}

type redeliverMatchingInput struct {
	Body struct {
		SessionID      string `json:"sessionId,omitempty"`
		Status         string `json:"status,omitempty" enum:"pending,delivered,dead"`
		EventID        string `json:"eventId,omitempty"`
		SubscriptionID string `json:"subscriptionId,omitempty"`
		From           string `json:"from,omitempty" doc:"created at or after (RFC 3339)"`
		To             string `json:"to,omitempty" doc:"created before (RFC 3339)"`
		Limit          int    `json:"limit,omitempty" minimum:"0" maximum:"1000"`
	}
}

type redeliveredDTO struct {
	Count int `json:"count"`
}

func (h *handlers) redeliverMatching(ctx context.Context, in *redeliverMatchingInput) (*Response[redeliveredDTO], error) {
	b := in.Body
	f, err := deliveryFilterInput{SessionSelector: SessionSelector{SessionID: b.SessionID}, Status: b.Status, Event: b.EventID,
		SubscriptionID: b.SubscriptionID, From: b.From, To: b.To, Limit: b.Limit}.filter()
	if err != nil {
		return nil, err
	}
	n, err := h.cmd.Subscriptions.RedeliverMatching(ctx, principal(ctx), f)
	if err != nil {
		return nil, err
	}
	return reply(http.StatusAccepted, codeAcceptedWork, "Redelivery scheduled", redeliveredDTO{Count: n}), nil
}

// codeAcceptedWork is WAREST's 1001 ACCEPTED: work scheduled, not yet done.
const codeAcceptedWork = 1001

// optionalTime parses an RFC 3339 query value; empty means no bound.
func optionalTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fault.Invalid(fault.ReasonInvalidParameter, "%s must be an RFC 3339 time", name)
	}
	return t, nil
}
