package ingest

import (
	"context"

	"github.com/warest-go/warest/application/eventlog"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/ports"
)

// groupParticipants records group_participants and, as WAREST does, group_join for
// additions and group_leave for removals.
func (in *groups) groupParticipants(ctx context.Context, g ports.TransportGroupParticipants) error {
	data := event.GroupMembersChanged{Group: g.Group, Action: string(g.Action), Members: g.Participants, By: g.By, At: g.At}
	types := []event.Type{event.GroupParticipants}
	switch g.Action {
	case ports.GroupAdd:
		types = append(types, event.GroupJoin)
	case ports.GroupRemove:
		types = append(types, event.GroupLeave)
	}
	return in.store.InTx(ctx, func(r ports.Repositories) error {
		for _, t := range types {
			if err := eventlog.Append(ctx, r, in.clock, t, g.SessionID, data); err != nil {
				return err
			}
		}
		return nil
	})
}

func (in *groups) groupUpdate(ctx context.Context, g ports.TransportGroupUpdate) error {
	return appendEvent(ctx, in.store, in.clock, event.GroupUpdate, g.SessionID, event.GroupSettingsChanged{Group: g.Group, By: g.By,
		Name: g.Name, Topic: g.Topic, Locked: g.Locked, Announce: g.Announce, At: g.At})
}

// joinedGroup is the account itself being added: a group_join for the account.
func (in *groups) joinedGroup(ctx context.Context, g ports.TransportJoinedGroup) error {
	return appendEvent(ctx, in.store, in.clock, event.GroupJoin, g.SessionID, event.GroupMembersChanged{Group: g.Group,
		Action: "joined", Members: g.Participants, At: g.At})
}

// joinRequest is someone asking to join a group the account administers.
func (in *groups) joinRequest(ctx context.Context, r ports.TransportGroupJoinRequest) error {
	return appendEvent(ctx, in.store, in.clock, event.GroupJoinRequest, r.SessionID, event.JoinRequested{Group: r.Group,
		Who: r.Who, Method: r.Method, At: r.At})
}
