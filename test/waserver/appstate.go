package waserver

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"go.mau.fi/whatsmeow/appstate"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waServerSync"
	"go.mau.fi/whatsmeow/proto/waSyncAction"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	waLog "go.mau.fi/whatsmeow/util/log"
	"google.golang.org/protobuf/proto"
)

// AppStateChange is one mutation of an account's app state (WhatsApp's syncd): a
// setting or a chat or message action, as the simulated phone decrypts it.
type AppStateChange struct {
	Collection string    // "critical_block", "regular_high"…
	Version    uint64    // the collection's version the patch made
	Device     types.JID // the companion that uploaded it; empty for the phone's own
	Index      []string  // what it is about, e.g. ["archive", "15550002222@s.whatsapp.net"]
	Action     *waSyncAction.SyncActionValue
}

// AppState is every app state change of the account jid names, oldest first: the
// phone's own (its push name) and those its companions uploaded.
func (s *Server) AppState(jid types.JID) []AppStateChange {
	s.mu.Lock()
	as := s.appStates[jid.User]
	if as == nil {
		if ds := s.accountLocked(jid.ToNonAD()); len(ds) > 0 {
			as = s.appStates[ds[0].jid.User]
		}
	}
	s.mu.Unlock()
	if as == nil {
		return nil
	}
	as.mu.Lock()
	defer as.mu.Unlock()
	return slices.Clone(as.changes)
}

// accountState is one account's app state. The server keeps the encrypted patches
// per collection, as WhatsApp does; the phone's part (the key it shares with its
// companions, and a replica it decodes every patch into, checking its MACs as a
// companion would) lives beside them because this server plays the phone too.
type accountState struct {
	phone *Phone

	mu         sync.Mutex
	keyID, key []byte
	patches    map[appstate.WAPatchName][]*waServerSync.SyncdPatch // patch i made version i+1
	hashes     map[appstate.WAPatchName]appstate.HashState
	replica    *appstate.Processor
	changes    []AppStateChange
	shared     map[string]bool // device key → the phone shared the key with it (keyshare.go)
	signal     *phoneSignal    // the phone's Signal sessions with its companions
}

// appStateOf returns the account's app state, made when its first companion is
// linked: a fresh key, and critical_block holding the phone's push name.
func (s *Server) appStateOf(phone *Phone) (*accountState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if as := s.appStates[phone.User]; as != nil {
		return as, nil
	}
	keyID, key := make([]byte, 6), make([]byte, 32)
	_, _ = rand.Read(keyID)
	_, _ = rand.Read(key)
	rep := &replicaStore{keys: map[string]store.AppStateSyncKey{string(keyID): {Data: key}}, latest: keyID,
		versions: map[string]appstate.HashState{}, macs: map[string]map[string][]byte{}}
	as := &accountState{phone: phone, keyID: keyID, key: key, patches: map[appstate.WAPatchName][]*waServerSync.SyncdPatch{},
		hashes: map[appstate.WAPatchName]appstate.HashState{}, shared: map[string]bool{}, signal: newPhoneSignal(phone),
		replica: appstate.NewProcessor(&store.Device{AppStateKeys: rep, AppState: rep}, waLog.Noop)}
	if phone.Name != "" { // as is not shared yet: no lock needed
		if err := as.encodeLocked(appstate.BuildSettingPushName(phone.Name)); err != nil {
			return nil, fmt.Errorf("push name patch: %w", err)
		}
	}
	if s.appStates == nil {
		s.appStates = map[string]*accountState{}
	}
	s.appStates[phone.User] = as
	return as, nil
}

// encodeLocked makes a patch of the phone's own and applies it.
func (as *accountState) encodeLocked(p appstate.PatchInfo) error {
	raw, err := as.replica.EncodePatch(context.Background(), as.keyID, as.hashes[p.Type], p)
	if err != nil {
		return err
	}
	var patch waServerSync.SyncdPatch
	if err := proto.Unmarshal(raw, &patch); err != nil {
		return err
	}
	return as.applyLocked(p.Type, &patch, types.EmptyJID)
}

// applyLocked gives patch the collection's next version, decodes it into the
// replica (which fails on a wrong MAC or LTHash, as on a companion) and keeps it.
func (as *accountState) applyLocked(name appstate.WAPatchName, patch *waServerSync.SyncdPatch, from types.JID) error {
	version := uint64(len(as.patches[name]) + 1)
	patch.Version = &waServerSync.SyncdVersion{Version: proto.Uint64(version)}
	muts, state, err := as.replica.DecodePatches(context.Background(),
		&appstate.PatchList{Name: name, Patches: []*waServerSync.SyncdPatch{patch}}, as.hashes[name], true)
	if err != nil {
		return err
	}
	as.hashes[name] = state
	as.patches[name] = append(as.patches[name], patch)
	for _, m := range muts {
		as.changes = append(as.changes, AppStateChange{Collection: string(name), Version: version, Device: from, Index: m.Index, Action: m.Action})
	}
	return nil
}

// appStateIQ answers `w:sync:app:state`: per collection, an upload (a <patch>)
// made at the version the server has is applied and the account's other devices
// get a server_sync notification; a stale one is refused with 409 and the patches
// it missed; a fetch gets every patch after the version it names (all of them
// when it asks for a snapshot: the server sends patches, never snapshots).
func (c *conn) appStateIQ(ctx context.Context, iq *waBinary.Node) {
	if c.device == nil {
		c.replyError(ctx, iq, 401, "not-authorized")
		return
	}
	s := c.srv
	s.mu.Lock()
	as := s.appStates[c.device.jid.User]
	s.mu.Unlock()
	if as == nil {
		c.replyError(ctx, iq, 404, "item-not-found")
		return
	}
	var out []waBinary.Node
	var changed []waBinary.Node
	as.mu.Lock()
	sync := iq.GetChildByTag("sync")
	for _, coll := range sync.GetChildrenByTag("collection") {
		name := appstate.WAPatchName(nodeAttr(coll, "name"))
		from, _ := strconv.ParseUint(nodeAttr(coll, "version"), 10, 64)
		have := uint64(len(as.patches[name]))
		upload, isUpload := coll.GetOptionalChildByTag("patch")
		switch {
		case isUpload && from != have:
			out = append(out, as.collectionLocked(name, from, waBinary.Attrs{"type": "error"},
				waBinary.Node{Tag: "error", Attrs: waBinary.Attrs{"code": "409", "text": "conflict"}}))
		case isUpload:
			out = append(out, as.uploadLocked(name, upload, c.device.jid))
			if v := uint64(len(as.patches[name])); v > have {
				changed = append(changed, waBinary.Node{Tag: "collection", Attrs: waBinary.Attrs{"name": string(name), "version": strconv.FormatUint(v, 10)}})
			}
		default:
			if nodeAttr(coll, "return_snapshot") == "true" {
				from = 0
			}
			out = append(out, as.collectionLocked(name, from, nil))
		}
	}
	as.mu.Unlock()
	c.reply(ctx, iq, waBinary.Node{Tag: "sync", Content: out})
	if len(changed) > 0 {
		s.notifyAppState(c.device, changed)
	}
}

// uploadLocked applies one uploaded patch; one the phone cannot decode is refused
// with 400 (WhatsApp cannot read patches, but its companions would fail on it).
func (as *accountState) uploadLocked(name appstate.WAPatchName, upload waBinary.Node, from types.JID) waBinary.Node {
	raw, _ := upload.Content.([]byte)
	var patch waServerSync.SyncdPatch
	err := proto.Unmarshal(raw, &patch)
	if err == nil {
		err = as.applyLocked(name, &patch, from)
	}
	if err != nil {
		return waBinary.Node{Tag: "collection", Attrs: waBinary.Attrs{"name": string(name), "type": "error"},
			Content: []waBinary.Node{{Tag: "error", Attrs: waBinary.Attrs{"code": "400", "text": err.Error()}}}}
	}
	return waBinary.Node{Tag: "collection", Attrs: waBinary.Attrs{"name": string(name),
		"version": strconv.Itoa(len(as.patches[name]))}}
}

// collectionLocked is a <collection> with the patches after version from.
func (as *accountState) collectionLocked(name appstate.WAPatchName, from uint64, attrs waBinary.Attrs, extra ...waBinary.Node) waBinary.Node {
	all := as.patches[name]
	n := waBinary.Node{Tag: "collection", Attrs: waBinary.Attrs{"name": string(name), "version": strconv.Itoa(len(all))}}
	for k, v := range attrs {
		n.Attrs[k] = v
	}
	var patches []waBinary.Node
	for _, p := range all[min(from, uint64(len(all))):] {
		raw, _ := proto.Marshal(p)
		patches = append(patches, waBinary.Node{Tag: "patch", Content: raw})
	}
	n.Content = append(extra, waBinary.Node{Tag: "patches", Content: patches})
	return n
}

// notifyAppState tells the account's other companions that collections changed,
// as WhatsApp's server_sync notification does; they fetch the new patches.
func (s *Server) notifyAppState(by *device, collections []waBinary.Node) {
	s.mu.Lock()
	var keys []string
	for _, d := range s.accountLocked(by.jid.ToNonAD()) {
		if d != by {
			keys = append(keys, d.key())
		}
	}
	s.mu.Unlock()
	s.sendNotices([]notice{{keys: keys, node: waBinary.Node{Tag: "notification",
		Attrs:   waBinary.Attrs{"from": types.ServerJID, "type": "server_sync", "t": unixNow()},
		Content: collections}}})
}

// replicaStore is the phone's app state store, in memory: its key, and per
// collection the version, LTHash and value MAC of every index, as whatsmeow's
// Processor needs them. Guarded by its accountState's mutex.
type replicaStore struct {
	keys     map[string]store.AppStateSyncKey
	latest   []byte
	versions map[string]appstate.HashState
	macs     map[string]map[string][]byte // collection → index MAC → value MAC
}

func (r *replicaStore) PutAppStateSyncKey(_ context.Context, id []byte, key store.AppStateSyncKey) error {
	r.keys[string(id)], r.latest = key, id
	return nil
}

func (r *replicaStore) GetAppStateSyncKey(_ context.Context, id []byte) (*store.AppStateSyncKey, error) {
	if k, ok := r.keys[string(id)]; ok {
		return &k, nil
	}
	return nil, nil
}

func (r *replicaStore) GetLatestAppStateSyncKeyID(context.Context) ([]byte, error) {
	return r.latest, nil
}

func (r *replicaStore) GetAllAppStateSyncKeys(context.Context) ([]*store.AppStateSyncKey, error) {
	var out []*store.AppStateSyncKey
	for _, k := range r.keys {
		out = append(out, &k)
	}
	return out, nil
}

func (r *replicaStore) PutAppStateVersion(_ context.Context, name string, version uint64, hash [128]byte) error {
	r.versions[name] = appstate.HashState{Version: version, Hash: hash}
	return nil
}

func (r *replicaStore) GetAppStateVersion(_ context.Context, name string) (uint64, [128]byte, error) {
	v := r.versions[name]
	return v.Version, v.Hash, nil
}

func (r *replicaStore) DeleteAppStateVersion(_ context.Context, name string) error {
	delete(r.versions, name)
	delete(r.macs, name)
	return nil
}

func (r *replicaStore) PutAppStateMutationMACs(_ context.Context, name string, _ uint64, muts []store.AppStateMutationMAC) error {
	if r.macs[name] == nil {
		r.macs[name] = map[string][]byte{}
	}
	for _, m := range muts {
		r.macs[name][string(m.IndexMAC)] = m.ValueMAC
	}
	return nil
}

func (r *replicaStore) DeleteAppStateMutationMACs(_ context.Context, name string, indexMACs [][]byte) error {
	for _, m := range indexMACs {
		delete(r.macs[name], string(m))
	}
	return nil
}

func (r *replicaStore) GetAppStateMutationMAC(_ context.Context, name string, indexMAC []byte) ([]byte, error) {
	return r.macs[name][string(indexMAC)], nil
}
