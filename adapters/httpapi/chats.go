package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/query"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
)

const chatsTag = "Chats"

func chatRoute(id, method, path, summary string, errs ...int) route {
	return route{id: id, method: method, path: "/api/v1/chats" + path, tag: chatsTag, access: accessUser, summary: summary,
		errors: append([]int{http.StatusForbidden, http.StatusNotFound}, errs...)}
}

func (h *handlers) registerChats() {
	register(h, chatRoute("getChats", http.MethodGet, "", "List chats"), h.listChats)
	register(h, chatRoute("getChatsChatIdMessages", http.MethodGet, "/{chatId}/messages", "List a chat's messages, newest first"), h.chatMessages)
	busy := []int{http.StatusConflict, http.StatusTooManyRequests, http.StatusBadGateway}
	register(h, chatRoute("postChatsChatIdRead", http.MethodPost, "/{chatId}/read", "Mark a chat's messages read", busy...), h.readChat)
	register(h, chatRoute("postChatsChatIdPin", http.MethodPost, "/{chatId}/pin", "Pin or unpin a chat", busy...), h.pinChat)
	register(h, chatRoute("postChatsChatIdMessagesMessageIdPin", http.MethodPost, "/{chatId}/messages/{messageId}/pin",
		"Pin or unpin a message for everyone in the chat", busy...), h.pinMessage)
	register(h, chatRoute("postChatsRetention", http.MethodPost, "/retention", "Set how many days the session keeps its chat history"), h.setRetention)
}

type chatPage struct {
	Limit      int     `json:"limit"`
	Offset     int     `json:"offset"`
	Total      int     `json:"total" doc:"how many match the filters in all"`
	NextCursor *string `json:"nextCursor" doc:"messages only: pass as cursor for the next (older) page; it does not move when new messages arrive. null at the end."`
}

// chatItem is WAREST's chat; times are unix seconds.
type chatItem struct {
	ID                   string  `json:"id"`
	JID                  string  `json:"jid"`
	DisplayName          string  `json:"displayName"`
	Name                 string  `json:"name" doc:"the peer's latest push name; the number when unknown"`
	IsGroup              bool    `json:"isGroup"`
	UnreadCount          int     `json:"unreadCount"`
	LastMessage          *string `json:"lastMessage"`
	LastMessageTimestamp int64   `json:"lastMessageTimestamp"`
	EphemeralExpiry      int     `json:"ephemeralExpiry" doc:"always 0: not tracked"`
	CreatedAt            int64   `json:"createdAt" doc:"first message in the history"`
	UpdatedAt            int64   `json:"updatedAt" doc:"last message in the history"`
	Pinned               bool    `json:"pinned"`
}

func toChatItem(c message.ChatSummary) chatItem {
	name := c.Name
	if name == "" {
		name = c.Chat.User
	}
	out := chatItem{ID: c.Chat.String(), JID: c.Chat.String(), DisplayName: name, Name: name, IsGroup: c.Chat.Kind() == chat.KindGroup,
		UnreadCount: c.Unread, LastMessageTimestamp: c.LastAt.Unix(), CreatedAt: c.FirstAt.Unix(), UpdatedAt: c.LastAt.Unix(), Pinned: c.Pinned}
	if c.LastText != "" {
		out.LastMessage = &c.LastText
	}
	return out
}

type chatList struct {
	SessionID  string     `json:"sessionId"`
	Phone      string     `json:"phone"`
	Data       []chatItem `json:"data"`
	Pagination chatPage   `json:"pagination"`
}

type chatListInput struct {
	SessionSelector
	Limit     int    `query:"limit" default:"10" minimum:"1" maximum:"200"`
	Offset    int    `query:"offset" default:"0" minimum:"0"`
	HasMedia  bool   `query:"hasMedia" doc:"only chats with a file in their history"`
	SortBy    string `query:"sortBy" default:"lastMessage" enum:"lastMessage,unreadCount,name"`
	SortOrder string `query:"sortOrder" default:"desc" enum:"asc,desc"`
	Search    string `query:"search" maxLength:"200" doc:"in the name or the JID, ignoring case"`
}

func (h *handlers) listChats(ctx context.Context, in *chatListInput) (*ResultResponse[chatList], error) {
	list, err := h.q.Chats.List(ctx, principal(ctx), query.ChatListInput{SessionID: in.sessionID(), Limit: in.Limit,
		Offset: in.Offset, HasMedia: in.HasMedia, SortBy: in.SortBy, Ascending: in.SortOrder == "asc", Search: in.Search})
	if err != nil {
		return nil, err
	}
	out := chatList{SessionID: list.SessionID, Phone: list.Phone, Data: make([]chatItem, len(list.Chats)),
		Pagination: chatPage{Limit: in.Limit, Offset: in.Offset, Total: list.Total}}
	for i, c := range list.Chats {
		out.Data[i] = toChatItem(c)
	}
	return resultOK("Chats list fetched", out), nil
}

type mediaMetadata struct {
	URL      *string `json:"url" doc:"null: not mirrored"`
	MimeType string  `json:"mimeType"`
	FileName string  `json:"fileName"`
	FileSize int64   `json:"fileSize"`
}

type chatReaction struct {
	From      string `json:"from"`
	Emoji     string `json:"emoji"`
	Timestamp int64  `json:"timestamp"`
}

// chatMessage is WAREST's history message; times are unix seconds.
type chatMessage struct {
	ID                 string         `json:"id"`
	ToJID              string         `json:"toJid" doc:"the chat"`
	SenderJID          string         `json:"senderJid"`
	FromMe             bool           `json:"fromMe"`
	MessageType        string         `json:"messageType" doc:"the content kind: text, image, video, audio, document, sticker, location, contact, poll, ..."`
	Body               *string        `json:"body"`
	Timestamp          int64          `json:"timestamp"`
	IsMedia            bool           `json:"isMedia"`
	MediaType          *string        `json:"mediaType"`
	MediaMetadata      *mediaMetadata `json:"mediaMetadata"`
	MessageTypeDetails map[string]any `json:"messageTypeDetails" doc:"unix seconds: edit (the last edit), receipts {delivered, read} (the peers', for messages from this account), starredAt, deletedAt, readAt (when this account read it)"`
	QuotedMessageID    *string        `json:"quotedMessageId"`
	MentionedJIDs      []string       `json:"mentionedJids"`
	Reactions          []chatReaction `json:"reactions"`
	IsEdited           bool           `json:"isEdited"`
	IsDeleted          bool           `json:"isDeleted" doc:"deleted for everyone; its content is forgotten"`
	DeletedAt          *int64         `json:"deletedAt"`
	Poll               map[string]any `json:"poll" doc:"always null: polls are not expanded here"`
	IsRead             bool           `json:"isRead" doc:"fromMe false only: this account read it"`
	CreatedAt          int64          `json:"createdAt"`
	UpdatedAt          int64          `json:"updatedAt"`
}

func toChatMessage(m message.Received) chatMessage {
	c := m.Content
	out := chatMessage{ID: m.ID, ToJID: m.Chat.String(), SenderJID: m.Sender.Best().String(), FromMe: m.FromMe, MessageType: string(c.Kind),
		Timestamp: m.Timestamp.Unix(), MessageTypeDetails: map[string]any{}, MentionedJIDs: []string{}, Reactions: []chatReaction{},
		IsEdited: !m.EditedAt.IsZero(), IsDeleted: !m.RevokedAt.IsZero(), IsRead: !m.ReadAt.IsZero(),
		CreatedAt: m.Timestamp.Unix(), UpdatedAt: m.Timestamp.Unix()}
	if c.Text != "" {
		out.Body = &c.Text
	}
	if md := c.Media; md != nil {
		kind := string(c.Kind)
		out.IsMedia, out.MediaType = true, &kind
		out.MediaMetadata = &mediaMetadata{MimeType: md.MIME, FileName: md.FileName, FileSize: md.Size}
	}
	if c.Reply != nil && c.Reply.ID != "" {
		out.QuotedMessageID = &c.Reply.ID
	}
	for _, j := range c.Mentions {
		out.MentionedJIDs = append(out.MentionedJIDs, j.String())
	}
	for _, r := range m.Reactions {
		out.Reactions = append(out.Reactions, chatReaction{From: r.By.String(), Emoji: r.Emoji, Timestamp: r.At.Unix()})
	}
	if out.IsEdited {
		out.MessageTypeDetails["edit"] = m.EditedAt.Unix()
		out.UpdatedAt = m.EditedAt.Unix()
	}
	if out.IsDeleted {
		at := m.RevokedAt.Unix()
		out.DeletedAt, out.UpdatedAt = &at, max(out.UpdatedAt, at)
	}
	if out.IsRead {
		out.MessageTypeDetails["readAt"] = m.ReadAt.Unix()
	}
	if out.IsDeleted {
		out.MessageTypeDetails["deletedAt"] = *out.DeletedAt
	}
	if !m.StarredAt.IsZero() {
		out.MessageTypeDetails["starredAt"] = m.StarredAt.Unix()
	}
	receipts := map[string]int64{}
	if !m.DeliveredAt.IsZero() {
		receipts["delivered"] = m.DeliveredAt.Unix()
	}
	if !m.SeenAt.IsZero() {
		receipts["read"] = m.SeenAt.Unix()
	}
	if len(receipts) > 0 {
		out.MessageTypeDetails["receipts"] = receipts
	}
	return out
}

type chatInfo struct {
	JID                  string  `json:"jid"`
	Name                 *string `json:"name"`
	LastMessage          *string `json:"lastMessage"`
	IsGroup              bool    `json:"isGroup"`
	UnreadCount          int     `json:"unreadCount"`
	LastMessageTimestamp int64   `json:"lastMessageTimestamp"`
	EphemeralExpiry      int     `json:"ephemeralExpiry"`
	CreatedAt            int64   `json:"createdAt"`
	UpdatedAt            int64   `json:"updatedAt"`
	Pinned               bool    `json:"pinned"`
}

type chatMessages struct {
	SessionID  string        `json:"sessionId"`
	Phone      string        `json:"phone"`
	Data       []chatMessage `json:"data"`
	Pagination chatPage      `json:"pagination"`
	ChatInfo   *chatInfo     `json:"chatInfo" doc:"null when the chat has no history"`
}

type chatMessagesInput struct {
	SessionSelector
	ChatID    string `path:"chatId" doc:"a JID or a phone number"`
	Limit     int    `query:"limit" default:"20" minimum:"1" maximum:"200"`
	Offset    int    `query:"offset" default:"0" minimum:"0" doc:"skipped after the cursor"`
	Cursor    string `query:"cursor" maxLength:"300" doc:"nextCursor of the previous page"`
	StartTime int64  `query:"startTime" minimum:"0" doc:"unix ms: only messages sent at or after"`
	EndTime   int64  `query:"endTime" minimum:"0" doc:"unix ms: only messages sent at or before"`
	MediaOnly bool   `query:"mediaOnly"`
	IsFromMe  string `query:"isFromMe" enum:"true,false" doc:"only messages sent by (true) or to (false) this account"`
	Search    string `query:"search" maxLength:"200" doc:"in the text, ignoring case"`
}

func (h *handlers) chatMessages(ctx context.Context, in *chatMessagesInput) (*ResultResponse[chatMessages], error) {
	f := message.HistoryFilter{MediaOnly: in.MediaOnly, Search: strings.TrimSpace(in.Search)}
	if in.StartTime > 0 {
		f.From = time.UnixMilli(in.StartTime).UTC()
	}
	if in.EndTime > 0 {
		f.Until = time.UnixMilli(in.EndTime).UTC()
	}
	if in.IsFromMe != "" {
		fromMe := in.IsFromMe == "true"
		f.FromMe = &fromMe
	}
	res, err := h.q.Chats.Messages(ctx, principal(ctx), query.ChatMessagesInput{SessionID: in.sessionID(), Chat: in.ChatID,
		Limit: in.Limit, Offset: in.Offset, Cursor: in.Cursor, Filter: f})
	if err != nil {
		return nil, err
	}
	out := chatMessages{SessionID: res.SessionID, Phone: res.Phone, Data: make([]chatMessage, len(res.Page.Messages)),
		Pagination: chatPage{Limit: in.Limit, Offset: in.Offset, Total: res.Page.Total}}
	for i, m := range res.Page.Messages {
		out.Data[i] = toChatMessage(m)
	}
	if res.NextCursor != "" {
		out.Pagination.NextCursor = &res.NextCursor
	}
	if s := res.Summary; s != nil {
		item := toChatItem(*s)
		out.ChatInfo = &chatInfo{JID: item.JID, Name: &item.Name, LastMessage: item.LastMessage, IsGroup: item.IsGroup,
			UnreadCount: item.UnreadCount, LastMessageTimestamp: item.LastMessageTimestamp, CreatedAt: item.CreatedAt,
			UpdatedAt: item.UpdatedAt, Pinned: item.Pinned}
	}
	return resultOK("Messages list fetched", out), nil
}

type chatReadInput struct {
	SessionSelector
	ChatID string `path:"chatId" doc:"a JID or a phone number"`
	Body   *struct {
		_         struct{} `additionalProperties:"true"`
		SessionID string   `json:"sessionId,omitempty"`
		Messages  int      `json:"messages,omitempty" minimum:"0" maximum:"500" doc:"the newest N unread received messages; 0: those of the last days days"`
		Days      int      `json:"days,omitempty" minimum:"0" maximum:"365" doc:"with messages 0: how many days back (default 1)"`
	}
}

type markedMessage struct {
	ID        string `json:"id"`
	FromMe    bool   `json:"fromMe"`
	Timestamp int64  `json:"timestamp"`
}

type readParameters struct {
	Messages int `json:"messages"`
	Days     int `json:"days"`
}

type readPartial struct {
	Capped bool `json:"capped"`
	Cap    int  `json:"cap"`
}

type chatReadResult struct {
	SessionID   string          `json:"sessionId"`
	Phone       string          `json:"phone"`
	ChatID      string          `json:"chatId"`
	TotalMarked int             `json:"totalMarked"`
	Mode        string          `json:"mode" enum:"by_messages,by_days"`
	Parameters  readParameters  `json:"parameters"`
	Marked      []markedMessage `json:"marked"`
	Partial     *readPartial    `json:"partial" doc:"set when more were unread than one call marks"`
}

func (h *handlers) readChat(ctx context.Context, in *chatReadInput) (*ResultResponse[chatReadResult], error) {
	cmd := command.ChatReadInput{SessionID: in.sessionID(), Chat: in.ChatID}
	if b := in.Body; b != nil {
		cmd.SessionID, cmd.Messages, cmd.Days = firstOf(b.SessionID, cmd.SessionID), b.Messages, b.Days
	}
	res, err := h.cmd.Chats.MarkRead(ctx, principal(ctx), cmd)
	if err != nil {
		return nil, err
	}
	out := chatReadResult{SessionID: res.SessionID, Phone: res.Phone, ChatID: res.Chat.String(), TotalMarked: len(res.Marked),
		Mode: "by_days", Parameters: readParameters{Messages: res.Messages, Days: res.Days}, Marked: make([]markedMessage, len(res.Marked))}
	msg := "Marked inbound messages as read in the last " + strconv.Itoa(res.Days) + " day(s)"
	if res.Messages > 0 {
		out.Mode, msg = "by_messages", "Marked the latest "+strconv.Itoa(len(res.Marked))+" inbound message(s) as read"
	}
	for i, m := range res.Marked {
		out.Marked[i] = markedMessage{ID: m.ID, FromMe: m.FromMe, Timestamp: m.Timestamp.Unix()}
	}
	if res.Capped {
		out.Partial = &readPartial{Capped: true, Cap: command.MaxChatRead}
	}
	return resultOK(msg, out), nil
}

type pinBody struct {
	_         struct{} `additionalProperties:"true"`
	SessionID string   `json:"sessionId,omitempty"`
	Pin       *bool    `json:"pin,omitempty" doc:"true pins, false unpins (required)"`
}

type pinInput struct {
	SessionSelector
	ChatID string `path:"chatId" doc:"a JID or a phone number"`
	Body   *pinBody
}

type pinMessageInput struct {
	SessionSelector
	ChatID    string `path:"chatId" doc:"a JID or a phone number"`
	MessageID string `path:"messageId"`
	Body      *pinBody
}

type chatPinResult struct {
	SessionID string  `json:"sessionId"`
	Phone     string  `json:"phone"`
	ChatID    string  `json:"chatId"`
	MessageID *string `json:"messageId"`
	Pinned    bool    `json:"pinned"`
	Message   string  `json:"message"`
	UpdatedAt int64   `json:"updatedAt"`
}

// pin reads the session and the required pin flag of a pin request.
func (b *pinBody) pin(query SessionSelector) (string, bool, error) {
	if b == nil || b.Pin == nil {
		return "", false, fault.Invalid(fault.ReasonMissingParameter, "pin (true or false) is required")
	}
	return firstOf(b.SessionID, query.sessionID()), *b.Pin, nil
}

func (h *handlers) pinChat(ctx context.Context, in *pinInput) (*ResultResponse[chatPinResult], error) {
	session, pin, err := in.Body.pin(in.SessionSelector)
	if err != nil {
		return nil, err
	}
	res, err := h.cmd.Chats.PinChat(ctx, principal(ctx), session, in.ChatID, pin)
	if err != nil {
		return nil, err
	}
	return pinReply("Chat", res), nil
}

func (h *handlers) pinMessage(ctx context.Context, in *pinMessageInput) (*ResultResponse[chatPinResult], error) {
	session, pin, err := in.Body.pin(in.SessionSelector)
	if err != nil {
		return nil, err
	}
	res, err := h.cmd.Chats.PinMessage(ctx, principal(ctx), session, in.ChatID, in.MessageID, pin)
	if err != nil {
		return nil, err
	}
	return pinReply("Message", res), nil
}

func pinReply(what string, res command.ChatPinResult) *ResultResponse[chatPinResult] {
	state := map[bool]string{true: "pinned", false: "unpinned"}[res.Pinned]
	out := chatPinResult{SessionID: res.SessionID, Phone: res.Phone, ChatID: res.Chat.String(), Pinned: res.Pinned,
		Message: what + " " + state + " successfully", UpdatedAt: res.At.Unix()}
	if res.MessageID != "" {
		out.MessageID = &res.MessageID
	}
	return resultOK(what+" "+state, out)
}

type retentionInput struct {
	SessionSelector
	Body *struct {
		_         struct{} `additionalProperties:"true"`
		SessionID string   `json:"sessionId,omitempty"`
		Days      *int     `json:"days,omitempty" minimum:"0" maximum:"3650" doc:"days of history kept; 0: the server's default (WAREST_HISTORY_RETENTION_DAYS) (required)"`
	}
}

type retentionResult struct {
	SessionID string `json:"sessionId"`
	Days      int    `json:"days"`
}

func (h *handlers) setRetention(ctx context.Context, in *retentionInput) (*ResultResponse[retentionResult], error) {
	if in.Body == nil || in.Body.Days == nil {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "days is required")
	}
	session := firstOf(in.Body.SessionID, in.sessionID())
	days, err := h.cmd.Chats.SetHistoryRetention(ctx, principal(ctx), session, *in.Body.Days)
	if err != nil {
		return nil, err
	}
	return resultOK("History retention set", retentionResult{SessionID: session, Days: days}), nil
}
