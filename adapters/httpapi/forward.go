package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// Any node answers the API when several share one store (issue 16).
//
// An operation either runs on any node (it reads or writes the store, or queues a
// message the session's owner sends), or needs the session's live WhatsApp
// connection, which one node holds (ports.Ownership). The routings table decides it
// for every operation, and a test holds it against the OpenAPI document, so a new
// operation cannot miss the decision. One huma middleware, after authentication and
// before the rate limit, finds the session the request names (where the handlers
// read it) and, when another node owns it, replays the request there as it came:
// method, path, query, headers (the caller's key or login cookie) and body. The owner
// authenticates, limits and answers it like any request, so forwarding adds no trust
// between nodes and lends a caller no rights; its response streams back unchanged.
// A forwarded request carries forwardedBy and is never forwarded again: a node that
// no longer owns the session answers 503, as does any node while nobody runs it.

// forwardedBy names the node that forwarded a request; its presence stops loops.
const forwardedBy = "X-Warest-Forwarded-By"

// unownedRetry (seconds) is the Retry-After of a session no node runs right now:
// about one claim round of the nodes, a third of the default 15 s lease.
const unownedRetry = 5

// codeSessionUnowned is the app code of that 503.
const codeSessionUnowned = 1111

// routing is where an operation runs.
type routing int

const (
	anyNode routing = iota // store, event log or send queue: every node answers
	onOwner                // the session's live connection: its owner answers
	placed                 // starts the connection: the owner, else where Ownership.PlaceNew (NewOwner for a new session) puts it
)

// routings decides every operation, by operation id.
var routings = map[string]routing{
	// Logins, the event log and stream (fed from the store and the cross-node bus),
	// users, webhooks, and this node's own server routes.
	"postAuthLogin": anyNode, "postAuthLogout": anyNode, "getAuthMe": anyNode,
	"getEvents": anyNode, "getEventsParked": anyNode, "getEventsStream": anyNode,
	"getServerPing": anyNode, "getServerInfo": anyNode, "getServerHealthz": anyNode, "getServerReady": anyNode,
	"getServerCpuHistory": anyNode, "postServerRestart": anyNode, "postServerRestartScheduled": anyNode,
	"getServerNodes": anyNode, "postServerNodeDrain": anyNode, // the nodes' rows: any node reads and marks them
	"getUsers": anyNode, "postUsers": anyNode, "getUserKeys": anyNode, "postUserKeys": anyNode, "deleteUserKey": anyNode,
	"putUserLimits": anyNode, "getWebhookDeadLetters": anyNode, "postWebhooksPreflight": anyNode,
	"getWebhookSubscriptions": anyNode, "postWebhookSubscriptions": anyNode, "getWebhookSubscription": anyNode,
	"patchWebhookSubscription": anyNode, "deleteWebhookSubscription": anyNode, "postWebhookSubscriptionRotate": anyNode,
	"getWebhookDeliveries": anyNode, "getWebhookDelivery": anyNode, "postWebhookDeliveryRedeliver": anyNode,
	"postWebhookDeliveriesRedeliver": anyNode,

	// Sessions: QR, pair code and reconnect start the connection; logout, delete and
	// the device summary need it; the rest is the store.
	"getSessionCreate": placed, "getSessionCreatePairCode": placed, "getSessionReconnect": placed,
	"getSessionLogout": onOwner, "deleteSessionDelete": onOwner, "getSessionDevices": onOwner,
	"getSessionList": anyNode, "postSessionSessionIdConfig": anyNode,

	// Sends, and the actions WhatsApp carries as messages (reactions, edits, message
	// pins), go through the durable queue the owner works.
	"getMessagesSendText": anyNode, "postMessagesSendText": anyNode, "postMessagesSendMedia": anyNode,
	"postMessagesSendAudio": anyNode, "postMessagesSendDocument": anyNode, "postMessagesSendFiles": anyNode,
	"postMessagesSendGif": anyNode, "postMessagesSendSticker": anyNode, "postMessagesSendContact": anyNode,
	"postMessagesSendLocation": anyNode, "postMessagesSendPoll": anyNode, "postMessagesSendButton": anyNode,
	"postMessagesSendList": anyNode, "getMessageStatus": anyNode,
	"postMessagesMessageIdActionReaction": anyNode, "postMessagesMessageIdActionUnreaction": anyNode,
	"postMessagesMessageIdActionEdit": anyNode, "postChatsChatIdMessagesMessageIdPin": anyNode,
	// Account state goes straight to WhatsApp (a revoke may delete for me too); media
	// not mirrored yet is downloaded through the connection.
	"postMessagesMessageIdActionStar": onOwner, "postMessagesMessageIdActionUnstar": onOwner,
	"deleteMessagesMessageIdActionDelete": onOwner, "postMessagesMessageIdActionRevoke": onOwner,
	"postMessagesMessageIdActionMarkAsRead": onOwner, "getMessageMedia": onOwner,
	"postMessagesActionMute": onOwner, "postMessagesActionUnmute": onOwner, "postMessagesActionArchive": onOwner,
	"postMessagesActionUnarchive": onOwner, "deleteMessagesActionClearAll": onOwner,

	// Chats: the history is the store; reading and pinning a chat tell WhatsApp.
	"getChats": anyNode, "getChatsChatIdMessages": anyNode, "postChatsRetention": anyNode,
	"postChatsChatIdRead": onOwner, "postChatsChatIdPin": onOwner,

	// Groups, profiles, contacts and presence are WhatsApp calls.
	"getGroups": onOwner, "getGroupInfo": onOwner, "getGroupInvite": onOwner, "getGroupJoinViaLink": onOwner,
	"getGroupParticipants": onOwner, "getGroupParticipantsRequests": onOwner, "getGroupPicture": onOwner,
	"postGroupCreate": onOwner, "deleteGroupDelete": onOwner, "postGroupLeave": onOwner, "postGroupName": onOwner,
	"postGroupDescription": onOwner, "postGroupAnnouncement": onOwner, "postGroupLocked": onOwner,
	"postGroupPicture": onOwner, "deleteGroupPicture": onOwner, "postGroupInviteRevoke": onOwner,
	"postGroupJoinViaLink": onOwner, "postGroupParticipantsAdd": onOwner, "deleteGroupParticipantsRemove": onOwner,
	"postGroupParticipantsPromote": onOwner, "postGroupParticipantsDemote": onOwner,
	"postGroupParticipantsRequestApprove": onOwner, "postGroupParticipantsRequestReject": onOwner,
	"getProfileInfo": onOwner, "getProfilePicture": onOwner, "postProfilePicture": onOwner, "deleteProfilePicture": onOwner,
	"getProfilePrivacy": onOwner, "getProfileListContacts": onOwner, "getProfileOnWhatsapp": onOwner,
	"getProfileBusinessProfile": onOwner, "getContactsLidLid": onOwner, "getContactsPhonePhone": onOwner,
	"postPresence": onOwner, "postPresenceSubscribe": onOwner,
	// Rejecting a call is a WhatsApp call; the auto-reject policy is the store's.
	"postCallsCallIdReject": onOwner, "getCallsAutoReject": anyNode, "postCallsAutoReject": anyNode,

	// Misc: local computations, except the lookups a sessionId sends to WhatsApp and
	// poll votes, whose secrets the connection's device store keeps.
	"postMiscWhatsappValidatePhone": onOwner, "postMiscWhatsappValidateJid": onOwner,
	"postMiscWhatsappResolveJidOrLid": onOwner, "postMiscWhatsappPollUpdateVote": onOwner,
	"postMiscWhatsappFileDecrypt": anyNode, "postMiscConvertStringTarget": anyNode, "postMiscCryptoHash": anyNode,
	"postMiscCryptoHmac": anyNode, "postMiscMediaImage": anyNode, "postMiscMediaThumbnail": anyNode,
	"postMiscUuidGenerate": anyNode, "postMiscUuidValidate": anyNode, "postMiscBase64": anyNode,

	// The sandbox's controls act on the network's side (the phone, the peers), which
	// every node reaches.
	"getSandboxContacts": anyNode, "postSandboxContact": anyNode, "postSandboxScan": anyNode,
	"postSandboxPairConfirm": anyNode, "postSandboxInbound": anyNode, "postSandboxHistory": anyNode,
	"postSandboxUndecryptable": anyNode, "postSandboxCall": anyNode, "postSandboxGroup": anyNode,
	"postSandboxContactJoin": anyNode, "postSandboxContactPresence": anyNode, "postSandboxContactReact": anyNode,
	"postSandboxContactRead": anyNode, "getSandboxSent": anyNode, "getSandboxAttempts": anyNode,
	"getSandboxState": anyNode, "putSandboxFaults": anyNode, "postSandboxDisconnect": anyNode,
	"postSandboxLogout": anyNode, "postSandboxReplace": anyNode, "getSandboxReplacements": anyNode,
}

// forwarder replays requests on the node owning their session.
type forwarder struct {
	owners ports.Ownership
	proxy  *httputil.ReverseProxy
}

// forwardTarget is the context key of the owner's base URL, for the proxy.
type forwardTarget struct{}

// newForwarder returns nil without ownership: this node runs every session.
func newForwarder(owners ports.Ownership) *forwarder {
	if owners == nil {
		return nil
	}
	self := owners.Self()
	return &forwarder{owners: owners, proxy: &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(pr.In.Context().Value(forwardTarget{}).(*url.URL))
			pr.Out.Header.Set(forwardedBy, self)
		},
		// The owner did not answer: it is going away, and its lease with it.
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			target, _ := r.Context().Value(forwardTarget{}).(*url.URL)
			loggerFrom(r.Context()).WarnContext(r.Context(), "forward to the session's owner failed", "owner", target.String(), "err", err)
			writeError(w, unowned("The node running this session does not answer; retry shortly"))
		},
	}}
}

// unowned is the 503 of a session no node can run the request for right now.
func unowned(msg string) *ErrorEnvelope {
	env := newErrorEnvelope(http.StatusServiceUnavailable, codeSessionUnowned, msg)
	env.headers = http.Header{"Retry-After": {strconv.Itoa(unownedRetry)}}
	return env
}

// forward is the middleware: it runs the request here, on the session's owner, or
// answers 503 while no node runs the session.
func (h *handlers) forward(ctx huma.Context, next func(huma.Context)) {
	rt := routings[ctx.Operation().OperationID]
	if h.fwd == nil || rt == anyNode {
		next(ctx)
		return
	}
	r, w := humachi.Unwrap(ctx)
	id, err := sessionNamed(ctx, r)
	if err != nil {
		writeErr(h.api, ctx, err)
		return
	}
	if id == "" { // the handler refuses it, or it names no session (misc lookups)
		next(ctx)
		return
	}
	forwarded := r.Header.Get(forwardedBy) != ""
	if forwarded && rt == placed { // the sending node chose this one to start it
		ctx = huma.WithContext(ctx, ports.PlaceHere(ctx.Context()))
	}
	owner, err := h.ownerFor(ctx.Context(), id, rt, forwarded)
	switch {
	case err != nil:
		writeErr(h.api, ctx, err)
	case owner == nil:
		next(ctx)
	default:
		target, err := url.Parse(owner.Addr)
		if err != nil || target.Host == "" {
			writeErr(h.api, ctx, unowned("The node running this session has no usable address; retry shortly"))
			return
		}
		loggerFrom(ctx.Context()).DebugContext(ctx.Context(), "forwarding to the session's owner", "session", id, "owner", owner.NodeID)
		// The owner's response replaces this node's: drop the headers set so far.
		clear(w.Header())
		h.fwd.proxy.ServeHTTP(w, r.WithContext(context.WithValue(ctx.Context(), forwardTarget{}, target)))
	}
}

// ownerFor returns the node to forward to; nil runs the request here.
func (h *handlers) ownerFor(ctx context.Context, id string, rt routing, forwarded bool) (*ports.SessionOwner, error) {
	owners := h.fwd.owners
	o, ok, err := owners.Owner(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case !ok && rt == placed && forwarded:
		return nil, nil // placed here (ports.PlaceHere)
	case !ok && rt == placed:
		o, err = owners.PlaceNew(ctx, id)
		if fault.Is(err, fault.KindNotFound) { // a new session, created where it will run
			o, err = owners.NewOwner(ctx)
		}
		if err != nil {
			return nil, err
		}
		ok = true
	}
	switch {
	case ok && o.NodeID == owners.Self():
		return nil, nil
	case ok && forwarded:
		return nil, unowned("This node no longer runs the session; retry shortly")
	case ok:
		return &o, nil
	}
	// Nobody runs it. A session not meant to run (stopped, logged out) is answered
	// here as a single node would; one meant to run waits for a node to take it.
	s, err := h.q.Sessions.Session(ctx, principal(ctx), id)
	if err != nil {
		return nil, err
	}
	if s.AutoStart() {
		return nil, unowned("No node runs this session right now; retry shortly")
	}
	return nil, nil
}

// sessionNamed returns the session a request names, where the handlers look: the
// JSON body's sessionId first, then the query's sessionId, id or session, then the
// path. A JSON body is read within the operation's limit and put back for the
// handler or the owner. A session named only by its own phone number (message and
// chat actions allow it) is not looked up: that request runs here.
func sessionNamed(ctx huma.Context, r *http.Request) (string, error) {
	var body struct {
		SessionID string `json:"sessionId"`
	}
	if ct := r.Header.Get("Content-Type"); r.ContentLength != 0 && (ct == "" || strings.Contains(strings.ToLower(ct), "json")) {
		limit := ctx.Operation().MaxBodyBytes
		raw, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			return "", fault.Invalid(fault.ReasonMalformedBody, "the request body could not be read")
		}
		if int64(len(raw)) > limit {
			return "", fault.New(fault.KindTooLarge, "", "Payload too large")
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		_ = json.Unmarshal(raw, &body) // a malformed body is the handler's to refuse
	}
	return firstOf(body.SessionID, ctx.Query("sessionId"), ctx.Query("id"), ctx.Query("session"), ctx.Param("sessionId")), nil
}
