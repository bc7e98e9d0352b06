package command

import (
	"context"
	"github.com/warest-go/warest/domain/chat"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
)

// PairSession creates or reuses the session and asks for a phone pair code.
// An already open session returns without a code.
func (s *Sessions) PairSession(ctx context.Context, p account.Principal, id, phone string) (CreateResult, error) {
	digits := chat.Normalizer{DefaultCountryCode: s.cfg.DefaultCountryCode}.Phone(phone)
	if phone == "" {
		return CreateResult{}, fault.Invalid(fault.ReasonMissingParameter, "phone is required")
	}
	if len(digits) < 7 || len(digits) > 15 {
		return CreateResult{}, fault.Invalid(fault.ReasonInvalidParameter, "phone must be 7 to 15 digits")
	}
	if err := s.ensureStarted(ctx, p, id); err != nil {
		return CreateResult{}, err
	}
	sess, err := s.store.Sessions().Get(ctx, id)
	if err != nil {
		return CreateResult{}, err
	}
	if sess.Status() == session.StatusOpen {
		return CreateResult{Session: sess}, nil
	}
	wait, cancel := context.WithTimeout(ctx, s.cfg.PairWait)
	defer cancel()
	code, err := s.transport.PairPhone(wait, id, digits)
	if err != nil && wait.Err() == nil {
		return CreateResult{}, fault.Wrap(err, fault.KindUnavailable, "", "could not get a pair code")
	}
	// A timeout leaves code empty: the caller answers "pending, poll again".
	return CreateResult{Session: sess, PairCode: code}, nil
}
