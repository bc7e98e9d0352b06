package command

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/url"
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
		if err := validateWebhookURL(in.URL); err != nil {
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
	return s.store.Sessions().Update(ctx, id, func(x *session.Session) error {
		x.SetWebhook(session.Webhook{URL: in.URL, Secret: in.Secret}, s.clock.Now())
		return nil
	})
}

func validateWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fault.Invalid(fault.ReasonInvalidParameter, "webhookUrl must be an absolute http(s) URL")
	}
	return nil
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
	status, err := s.sender.Send(ctx, ports.WebhookRequest{URL: in.URL, Body: req.Body, Headers: req.Headers, Timeout: ws.PreflightTimeout})
	res.RoundTripMs = time.Since(start).Milliseconds()
	res.Status = status
	if err != nil {
		res.Error = err.Error()
	}
	res.OK = err == nil && status >= 200 && status < 300
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
