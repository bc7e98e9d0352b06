package command

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// WebhookInput is a requested webhook change.
type WebhookInput struct {
	URL       string
	Secret    string
	Preflight bool
}

// PreflightResult is the outcome of one signed test request.
type PreflightResult struct {
	Target      string
	OK          bool
	Status      int
	RoundTripMs int64
	Error       string
}

// PreflightFailed is returned (with its result) when the receiver did not answer 2xx.
type PreflightFailed struct{ Result PreflightResult }

func (e *PreflightFailed) Error() string { return "webhook preflight failed" }

// Webhook settings shared with the dispatcher.
type WebhookSettings struct {
	Algorithm        webhook.Algorithm
	PreflightTimeout time.Duration
}

// ConfigureWebhook sets the session's webhook. A new URL without a secret gets a
// generated one; an empty URL disables delivery.
func (s *Service) ConfigureWebhook(ctx context.Context, p account.Principal, id string, in WebhookInput, ws WebhookSettings) (*session.Session, error) {
	sess, err := ownedSession(ctx, s.store, p, id)
	if err != nil {
		return nil, err
	}
	if in.URL != "" {
		if err := webhook.ValidateURL(in.URL); err != nil {
			return nil, err
		}
		if in.Secret == "" {
			in.Secret = randomSecret(15)
		}
	}
	if in.Secret != "" && len(in.Secret) < 6 {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "webhookSecret must be at least 6 characters")
	}
	if in.Preflight && in.URL != "" {
		res := s.preflight(ctx, sess, in, ws)
		if !res.OK {
			return nil, &PreflightFailed{Result: res}
		}
	}
	var out *session.Session
	err = s.store.InTx(ctx, func(r ports.Repositories) error {
		out, err = r.Sessions().Update(ctx, id, func(x *session.Session) error {
			x.SetWebhook(session.Webhook{URL: in.URL, Secret: in.Secret}, s.clock.Now())
			return nil
		})
		if err != nil {
			return err
		}
		return s.putPrimary(ctx, r, id, in)
	})
	return out, err
}

// putPrimary mirrors the session's own webhook as its primary subscription (all
// events, WAREST signing), so deliveries, failure counting and rotation work the
// same for it as for every other subscription. Re-configuring re-enables it.
func (s *Service) putPrimary(ctx context.Context, r ports.Repositories, sessionID string, in WebhookInput) error {
	id := webhook.PrimaryID(sessionID)
	if in.URL == "" {
		err := r.Subscriptions().Delete(ctx, id)
		if fault.Is(err, fault.KindNotFound) {
			return nil
		}
		return err
	}
	sub, err := webhook.NewSubscription(id, sessionID, in.URL, in.Secret, nil, webhook.ModeWAREST, 0, s.clock.Now())
	if err != nil {
		return err
	}
	if old, err := r.Subscriptions().Get(ctx, id); err == nil {
		sub.CreatedAt = old.CreatedAt
	}
	return r.Subscriptions().Put(ctx, sub)
}

// PreflightWebhook sends one signed test request to url for one of the caller's
// sessions; an empty secret means the session's own.
func (s *Service) PreflightWebhook(ctx context.Context, p account.Principal, sessionID, url, secret string, ws WebhookSettings) (PreflightResult, error) {
	sess, err := ownedSession(ctx, s.store, p, sessionID)
	if err != nil {
		return PreflightResult{}, err
	}
	if err := webhook.ValidateURL(url); err != nil {
		return PreflightResult{}, err
	}
	if secret == "" {
		secret = sess.Webhook().Secret
	}
	if len(secret) < webhook.MinSecretLength {
		return PreflightResult{}, fault.Invalid(fault.ReasonInvalidParameter, "secret must be at least %d characters", webhook.MinSecretLength)
	}
	return s.preflight(ctx, sess, WebhookInput{URL: url, Secret: secret}, ws), nil
}

func (s *Service) preflight(ctx context.Context, sess *session.Session, in WebhookInput, ws WebhookSettings) PreflightResult {
	res := PreflightResult{Target: in.URL}
	info, err := sessionInfo(ctx, s.store, sess)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	req, err := webhook.Build(webhook.Signing{Mode: webhook.ModeWAREST, Algorithm: ws.Algorithm, Keys: [][]byte{webhook.SigningKey(in.Secret, info.Username)}}, webhook.Envelope{
		Event: "preflight", EventID: s.ids.NewID(), Data: json.RawMessage(`{"ping":true}`),
		SessionID: sess.ID(), At: s.clock.Now(), Session: info,
	})
	if err != nil {
		res.Error = err.Error()
		return res
	}
	start := time.Now()
	resp, err := s.sender.Send(ctx, ports.WebhookRequest{URL: in.URL, Body: req.Body, Headers: req.Headers, Timeout: ws.PreflightTimeout})
	res.RoundTripMs = time.Since(start).Milliseconds()
	res.Status = resp.Status
	if err != nil {
		res.Error = err.Error()
	}
	res.OK = err == nil && resp.Status >= 200 && resp.Status < 300
	return res
}

// sessionInfo is the `session` block of webhook bodies: never a secret.
func sessionInfo(ctx context.Context, r ports.Repositories, sess *session.Session) (webhook.SessionInfo, error) {
	info := webhook.SessionInfo{ID: sess.ID(), Label: sess.ID(), Registry: sess.Owner()}
	u, err := r.Users().GetByRegistry(ctx, sess.Owner())
	if err != nil && !fault.Is(err, fault.KindNotFound) {
		return info, err
	}
	info.Username = u.Username
	return info, nil
}

func randomSecret(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
