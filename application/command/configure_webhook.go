package command

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// SessionWebhook configures and tests a session's own webhook.
type SessionWebhook struct {
	store   ports.Store
	clock   ports.Clock
	ids     ports.IDs
	sender  ports.WebhookSender
	targets targets
}

// WebhookInput is a requested webhook change. Without Secret, a webhook keeps the
// secret it has (receivers go on verifying) unless RotateSecret asks for a new one.
type WebhookInput struct {
	URL          string
	Secret       string
	RotateSecret bool
	Preflight    bool
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

// rotationOverlap is how long a replaced secret keeps signing alongside the new one.
const rotationOverlap = 24 * time.Hour

// unreachable is all a non-admin learns of a preflight that got no answer.
const unreachable = "target unreachable or not allowed"

// ConfigureWebhook sets the session's webhook. A new URL without a secret gets a
// generated one; an empty URL disables delivery. A URL outside the reach of the
// session's receivers is refused here rather than retried for a day.
func (s *SessionWebhook) ConfigureWebhook(ctx context.Context, p account.Principal, id string, in WebhookInput, ws WebhookSettings) (*session.Session, error) {
	sess, err := ownedSession(ctx, s.store, p, id)
	if err != nil {
		return nil, err
	}
	if in.Secret != "" && len(in.Secret) < webhook.MinSecretLength {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "webhookSecret must be at least %d characters", webhook.MinSecretLength)
	}
	if in.URL != "" {
		if err := s.targets.check(ctx, sess, in.URL); err != nil {
			return nil, err
		}
		if in.Secret, err = s.webhookSecret(ctx, sess, in); err != nil {
			return nil, err
		}
	}
	if in.Preflight && in.URL != "" {
		res, err := s.preflight(ctx, p, sess, in, ws)
		if err != nil {
			return nil, err
		}
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

// webhookSecret is the secret a configured webhook signs with: the one given, a
// new one when asked or when there is none yet, else the current one (the primary
// subscription's, which deliveries are signed with).
func (s *SessionWebhook) webhookSecret(ctx context.Context, sess *session.Session, in WebhookInput) (string, error) {
	switch {
	case in.Secret != "":
		return in.Secret, nil
	case in.RotateSecret:
		return randomSecret(15), nil
	}
	primary, err := s.store.Subscriptions().Get(ctx, webhook.PrimaryID(sess.ID()))
	switch {
	case err == nil:
		return primary.Secret, nil
	case !fault.Is(err, fault.KindNotFound):
		return "", err
	case sess.Webhook().Secret != "":
		return sess.Webhook().Secret, nil
	}
	return randomSecret(15), nil
}

// putPrimary mirrors the session's own webhook as its primary subscription (all
// events, WAREST signing), so deliveries, failure counting and rotation work the
// same for it as for every other subscription. Re-configuring re-enables it; a new
// secret rotates it as POST …/subscriptions/{id}/rotate does, the old one signing
// alongside for the overlap.
func (s *SessionWebhook) putPrimary(ctx context.Context, r ports.Repositories, sessionID string, in WebhookInput) error {
	id := webhook.PrimaryID(sessionID)
	if in.URL == "" {
		err := r.Subscriptions().Delete(ctx, id)
		if fault.Is(err, fault.KindNotFound) {
			return nil
		}
		return err
	}
	now := s.clock.Now()
	sub, err := webhook.NewSubscription(id, sessionID, in.URL, in.Secret, nil, webhook.ModeWAREST, 0, now)
	if err != nil {
		return err
	}
	old, err := r.Subscriptions().Get(ctx, id)
	switch {
	case err == nil:
		sub.CreatedAt = old.CreatedAt
		sub.Secret, sub.PreviousSecret, sub.PreviousUntil = old.Secret, old.PreviousSecret, old.PreviousUntil
		if old.Secret != in.Secret {
			if err := sub.Rotate(in.Secret, rotationOverlap, now); err != nil {
				return err
			}
		}
	case !fault.Is(err, fault.KindNotFound):
		return err
	}
	return r.Subscriptions().Put(ctx, sub)
}

// PreflightWebhook sends one signed test request to url for one of the caller's
// sessions; an empty secret means the session's own.
func (s *SessionWebhook) PreflightWebhook(ctx context.Context, p account.Principal, sessionID, url, secret string, ws WebhookSettings) (PreflightResult, error) {
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
	return s.preflight(ctx, p, sess, WebhookInput{URL: url, Secret: secret}, ws)
}

// preflight sends the test request within the reach of the session's receivers.
// A target that gave no answer — refused by the policy, unresolvable, closed,
// silent — looks the same to a non-admin, so a tenant cannot map the gateway's
// networks with it; admins get the cause.
func (s *SessionWebhook) preflight(ctx context.Context, p account.Principal, sess *session.Session, in WebhookInput, ws WebhookSettings) (PreflightResult, error) {
	reach, err := s.targets.reach(ctx, s.store, sess)
	if err != nil {
		return PreflightResult{}, err
	}
	info, err := sessionInfo(ctx, s.store, sess)
	if err != nil {
		return PreflightResult{}, err
	}
	res := PreflightResult{Target: in.URL}
	if err := CheckWebhookTarget(ctx, s.targets.resolver, in.URL, reach); err != nil {
		res.Error = err.Error()
	} else {
		s.sendPreflight(ctx, sess, info, in, reach, ws, &res)
	}
	if !res.OK && res.Status == 0 && !p.User.IsAdmin() {
		return PreflightResult{Target: in.URL, Error: unreachable}, nil
	}
	return res, nil
}

func (s *SessionWebhook) sendPreflight(ctx context.Context, sess *session.Session, info webhook.SessionInfo, in WebhookInput,
	reach netpolicy.Reach, ws WebhookSettings, res *PreflightResult) {
	req, err := webhook.Build(webhook.Signing{Mode: webhook.ModeWAREST, Algorithm: ws.Algorithm, Keys: [][]byte{webhook.SigningKey(in.Secret, info.Username)}}, webhook.Envelope{
		Event: "preflight", EventID: s.ids.NewID(), Data: json.RawMessage(`{"ping":true}`),
		SessionID: sess.ID(), At: s.clock.Now(), Session: info,
	})
	if err != nil {
		res.Error = err.Error()
		return
	}
	start := time.Now()
	resp, err := s.sender.Send(ctx, ports.WebhookRequest{URL: in.URL, Body: req.Body, Headers: req.Headers, Timeout: ws.PreflightTimeout, Reach: reach})
	res.RoundTripMs = time.Since(start).Milliseconds()
	res.Status = resp.Status
	if err != nil {
		res.Error = err.Error()
	}
	res.OK = err == nil && resp.Status >= 200 && resp.Status < 300
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
