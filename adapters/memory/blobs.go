package memory

import (
	"context"
	"slices"
	"time"

	"github.com/warest-go/warest/domain/message"
)

func (r messages) ListSpentBlobs(_ context.Context, before time.Time, limit int) ([]string, error) {
	needed := map[string]bool{} // by key: whether any message still needs the blob
	err := r.with(func(st *state) error {
		for _, m := range st.messages {
			if key := m.Content.BlobKey(); key != "" && !st.blobsGone[key] {
				needed[key] = needed[key] || m.Status == message.StatusQueued || !m.UpdatedAt.Before(before)
			}
		}
		return nil
	})
	out := []string{}
	for key, busy := range needed {
		if !busy {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return limited(out, limit), err
}

func (r messages) MarkBlobDeleted(_ context.Context, key string) error {
	return r.with(func(st *state) error {
		if key != "" {
			st.blobsGone[key] = true
		}
		return nil
	})
}

func (r messages) ListSessionBlobs(_ context.Context, sessionID string) ([]string, error) {
	out := []string{}
	err := r.with(func(st *state) error {
		for k, m := range st.messages {
			if key := m.Content.BlobKey(); k.sessionID == sessionID && key != "" && !st.blobsGone[key] {
				out = append(out, key)
			}
		}
		return nil
	})
	slices.Sort(out)
	return slices.Compact(out), err
}
