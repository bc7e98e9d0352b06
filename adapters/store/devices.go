package store

import (
	"context"
	"errors"

	"github.com/warest-go/warest/ports"
)

var _ ports.DeviceLinks = (*Repos)(nil)

func (r *Repos) LinkedDevice(ctx context.Context, sessionID string) (string, bool, error) {
	jid, err := r.Q.GetSessionDevice(ctx, sessionID)
	if errors.Is(err, r.D.NoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, r.D.Wrap(err, "look up device")
	}
	return jid, true, nil
}

func (r *Repos) LinkDevice(ctx context.Context, sessionID, jid string) error {
	return r.D.Wrap(r.Q.PutSessionDevice(ctx, DeviceArg{SessionID: sessionID, Jid: jid}), "save device")
}

func (r *Repos) UnlinkDevice(ctx context.Context, sessionID string) error {
	return r.D.Wrap(r.Q.DeleteSessionDevice(ctx, sessionID), "forget device")
}
