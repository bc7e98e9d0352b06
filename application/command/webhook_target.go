package command

import (
	"context"
	"net/netip"
	"net/url"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// lookupTimeout bounds the DNS lookup of a receiver's name when it is configured.
const lookupTimeout = 3 * time.Second

// CheckWebhookTarget refuses a receiver URL the reach does not allow: an IP
// literal outside it, a numeric spelling of an address, or a name any of whose
// addresses is outside it. A name that does not resolve (yet) is not refused: the
// sender checks every address it dials anyway. A nil resolver leaves names to that
// check alone.
func CheckWebhookTarget(ctx context.Context, resolver ports.Resolver, rawURL string, reach netpolicy.Reach) error {
	if err := webhook.ValidateURL(rawURL); err != nil {
		return err
	}
	u, _ := url.Parse(rawURL)
	addr, literal, err := netpolicy.ParseHost(u.Hostname())
	if err != nil {
		return fault.Invalid(fault.ReasonTargetForbidden, "webhook URL %s is not allowed: %s", rawURL, err.Error())
	}
	if literal {
		return judge(rawURL, addr, reach)
	}
	if resolver == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := resolver.LookupNetIP(ctx, u.Hostname())
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if err := judge(rawURL, a, reach); err != nil {
			return err
		}
	}
	return nil
}

func judge(rawURL string, a netip.Addr, reach netpolicy.Reach) error {
	switch {
	case reach.Allows(a):
		return nil
	case netpolicy.Private.Allows(a):
		return fault.Invalid(fault.ReasonTargetForbidden, "webhook URL %s is not allowed: %s is not a public address", rawURL, a)
	}
	return fault.Invalid(fault.ReasonTargetForbidden, "webhook URL %s is not allowed: %s is a cloud metadata or reserved address", rawURL, a)
}

// targets judges where a session's webhook receivers may be.
type targets struct {
	store    ports.Store
	resolver ports.Resolver // nil: names are judged when dialled only
	policy   netpolicy.PrivateTargets
}

// reach is how far the receivers of a session may be: its owner's role
// decides, so a tenant's receivers stay off the gateway's networks whoever set them.
func (t targets) reach(ctx context.Context, r ports.Repositories, sess *session.Session) (netpolicy.Reach, error) {
	u, err := r.Users().GetByRegistry(ctx, sess.Owner())
	if err != nil && !fault.Is(err, fault.KindNotFound) {
		return 0, err
	}
	return t.policy.Reach(err == nil && u.IsAdmin()), nil
}

// check refuses a receiver URL outside the reach of the session's receivers.
func (t targets) check(ctx context.Context, sess *session.Session, rawURL string) error {
	reach, err := t.reach(ctx, t.store, sess)
	if err != nil {
		return err
	}
	return CheckWebhookTarget(ctx, t.resolver, rawURL, reach)
}
