// Package access answers who may touch which session: shared by the command and
// query sides so ownership is checked the same way everywhere.
package access

import (
	"context"
	"strings"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// Session loads a session the caller may act on: unknown → not found, someone
// else's → forbidden. Admins may act on every session.
func Session(ctx context.Context, r ports.Repositories, p account.Principal, id string) (*session.Session, error) {
	if err := session.ValidateLookup(id); err != nil {
		return nil, err
	}
	sess, err := r.Sessions().Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.CanAccess(sess.Owner()) {
		return nil, fault.Forbidden("session %s belongs to another user", id)
	}
	return sess, nil
}

// Scope narrows requested session ids to what the caller may see. Each requested
// id must be the caller's; with none requested, an admin gets nil (every session)
// and a user the ids of their own sessions.
func Scope(ctx context.Context, r ports.Repositories, p account.Principal, requested []string) ([]string, error) {
	for _, id := range requested {
		if _, err := Session(ctx, r, p, id); err != nil {
			return nil, err
		}
	}
	if len(requested) > 0 || p.User.IsAdmin() {
		return requested, nil
	}
	list, err := r.Sessions().List(ctx, p.User.Registry)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, sess := range list {
		ids[i] = sess.ID()
	}
	return ids, nil
}

// Phone is the session's own number (digits), "" before its first login.
func Phone(sess *session.Session) string {
	if me := sess.Me(); me != nil {
		phone, _, _ := strings.Cut(me.JID, "@")
		return phone
	}
	return ""
}
