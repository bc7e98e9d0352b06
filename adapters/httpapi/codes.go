package httpapi

import "net/http"

// AppCode is one entry of WAREST's app-code table, served at /docs/code-table.json.
type AppCode struct {
	Code       int    `json:"app_code"`
	Name       string `json:"app_name"`
	Message    string `json:"message"`
	HTTPStatus int    `json:"http_status"`
	Category   string `json:"category"`
}

const (
	s200 = http.StatusOK
	s202 = http.StatusAccepted
	s207 = http.StatusMultiStatus
	s400 = http.StatusBadRequest
	s401 = http.StatusUnauthorized
	s403 = http.StatusForbidden
	s404 = http.StatusNotFound
	s405 = http.StatusMethodNotAllowed
	s406 = http.StatusNotAcceptable
	s409 = http.StatusConflict
	s410 = http.StatusGone
	s413 = http.StatusRequestEntityTooLarge
	s415 = http.StatusUnsupportedMediaType
	s422 = http.StatusUnprocessableEntity
	s429 = http.StatusTooManyRequests
	s500 = http.StatusInternalServerError
	s501 = http.StatusNotImplemented
	s502 = http.StatusBadGateway
	s503 = http.StatusServiceUnavailable
	s504 = http.StatusGatewayTimeout
)

// codeTable covers every range of WAREST's table (behaviour §1.0). Names given there
// are kept; the remaining codes of each range are filled in.
var codeTable = []AppCode{
	{1000, "SUCCESS", "Success", s200, "success"},
	{1001, "ACCEPTED", "Accepted", s202, "success"},
	{1002, "QUEUED", "Queued", s202, "success"},
	{1003, "SCHEDULED", "Scheduled", s202, "success"},
	{1004, "PARTIAL_SUCCESS", "Partial success", s207, "success"},
	{1005, "NOOP", "Nothing to do", s200, "success"},

	{1100, "SESSION_REQUIRED", "sessionId is required", s400, "session"},
	{1101, "SESSION_NOT_FOUND", "Session not found", s404, "session"},
	{1102, "SESSION_ALREADY_EXISTS", "Session already exists", s409, "session"},
	{1103, "SESSION_CLOSED", "Session closed", s409, "session"},
	{1104, "SESSION_OPEN", "Session already open", s200, "session"},
	{1105, "SESSION_BUSY", "Session busy", s429, "session"},
	{1106, "NOT_LOGGED_IN", "Session not logged in", s409, "session"},
	{1107, "QR_REQUIRED", "Scan the QR to continue", s202, "session"},
	{1108, "QR_EXPIRED", "QR expired", s409, "session"},
	{1109, "RECONNECT_SCHEDULED", "Reconnect scheduled", s202, "session"},
	{1110, "LOGIN_PENDING", "Pair code pending", s202, "session"},
	{1111, "SESSION_UNOWNED", "No node runs the session right now; retry after Retry-After", s503, "session"}, // ours: several nodes

	{1200, "WEBHOOK_DISABLED", "Webhook disabled", s409, "webhook"},
	{1201, "WEBHOOK_INVALID_URL", "Invalid webhook URL", s400, "webhook"},
	{1202, "WEBHOOK_TIMEOUT", "Webhook timed out", s504, "webhook"},
	{1203, "WEBHOOK_REJECTED", "Webhook rejected the delivery", s502, "webhook"},
	{1204, "WEBHOOK_SIGNATURE_INVALID", "Webhook signature invalid", s401, "webhook"},

	{1400, "SOCKET_UNAUTHORIZED", "Socket unauthorized", s401, "socket"},
	{1401, "SOCKET_FORBIDDEN", "Socket room forbidden", s403, "socket"},
	{1402, "SOCKET_ROOM_NOT_FOUND", "Socket room not found", s404, "socket"},
	{1403, "SOCKET_RATE_LIMITED", "Socket rate limited", s429, "socket"},
	{1404, "SOCKET_ERROR", "Socket error", s500, "socket"},

	{1600, "SSE_UNAVAILABLE", "Event stream unavailable", s503, "sse"},
	{1601, "SSE_STREAM_CLOSED", "Event stream closed", s410, "sse"},

	{2000, "BAD_REQUEST", "Bad request", s400, "validation"},
	{2001, "MISSING_PARAMETER", "Required parameter missing", s400, "validation"},
	{2002, "INVALID_PARAMETER", "Invalid parameter", s400, "validation"},
	{2003, "INVALID_STATE", "Invalid state", s409, "validation"},
	{2004, "CONFLICT", "Conflict", s409, "validation"},
	{2005, "UNSUPPORTED", "Unsupported", s400, "validation"},
	{2006, "PAYLOAD_TOO_LARGE", "Payload too large", s413, "validation"},
	{2007, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type", s415, "validation"},
	{2008, "MALFORMED_JSON", "Malformed JSON body", s400, "validation"},
	{2009, "DUPLICATE_REQUEST", "Duplicate request", s409, "validation"},
	{2010, "METHOD_NOT_ALLOWED", "Method not allowed", s405, "validation"},
	{2011, "NOT_ACCEPTABLE", "Not acceptable", s406, "validation"},
	{2012, "UNPROCESSABLE", "Unprocessable entity", s422, "validation"},

	{2200, "UNAUTHORIZED", "Missing or invalid credentials", s401, "auth"},
	{2201, "FORBIDDEN", "Forbidden", s403, "auth"},
	{2202, "TOKEN_EXPIRED", "Token expired", s401, "auth"},
	{2203, "TOKEN_INVALID", "Token invalid", s401, "auth"},
	{2204, "API_KEY_INVALID", "Invalid API key", s401, "auth"},
	{2205, "ACCOUNT_LOCKED", "Too many failed logins", s429, "auth"},

	{2400, "RATE_LIMITED", "Too many requests", s429, "throttle"},
	{2401, "QUOTA_EXCEEDED", "Quota exceeded", s429, "throttle"},
	{2402, "CONCURRENCY_LIMIT", "Too many concurrent requests", s429, "throttle"},
	{2403, "LIMIT_REACHED", "Per-user limit reached (sessions, event streams)", s403, "throttle"}, // ours

	{2600, "NOT_FOUND", "Not found", s404, "lookup"},
	{2601, "MESSAGE_NOT_FOUND", "Message not found", s404, "lookup"},
	{2602, "USER_NOT_FOUND", "User not found", s404, "lookup"},
	{2603, "CHAT_NOT_FOUND", "Chat not found", s404, "lookup"},
	{2604, "GROUP_NOT_FOUND", "Group not found", s404, "lookup"},
	{2605, "MEDIA_NOT_FOUND", "Media not found", s404, "lookup"},

	{2800, "DOWNSTREAM_ERROR", "Downstream error", s502, "network"},
	{2801, "TIMEOUT", "Upstream timed out", s504, "network"},
	{2802, "DNS_ERROR", "DNS lookup failed", s502, "network"},
	{2803, "NETWORK_ERROR", "Network unavailable", s503, "network"},

	{3000, "SEND_REJECTED", "Message rejected", s400, "send"},
	{3001, "RECIPIENT_INVALID", "Invalid recipient", s400, "send"},
	{3002, "SEND_FAILED", "Send failed", s502, "send"},
	{3003, "RECIPIENT_NOT_ON_WHATSAPP", "Recipient is not on WhatsApp", s404, "send"},
	{3004, "MEDIA_REQUIRED", "Media is required", s400, "send"},
	{3005, "MEDIA_TOO_LARGE", "Media too large", s413, "send"},
	{3006, "MEDIA_TYPE_NOT_ALLOWED", "Media type not allowed", s415, "send"},
	{3007, "MEDIA_DOWNLOAD_FAILED", "Media download failed", s502, "send"},
	{3008, "MEDIA_UPLOAD_FAILED", "Media upload failed", s502, "send"},
	{3009, "CAPTION_TOO_LONG", "Caption too long", s400, "send"},
	{3010, "BUTTONS_LIMIT", "Too many buttons", s400, "send"},
	{3011, "LIST_FORMAT", "Invalid list format", s400, "send"},
	{3012, "POLL_INVALID", "Invalid poll", s400, "send"},
	{3013, "STICKER_CONVERT_FAILED", "Sticker conversion failed", s502, "send"},
	{3014, "AUDIO_CONVERT_FAILED", "Audio conversion failed", s502, "send"},
	{3015, "VIDEO_CONVERT_FAILED", "Video conversion failed", s502, "send"},

	{4000, "DELETE_FAILED", "Delete failed", s502, "manage"},
	{4001, "EDIT_NOT_ALLOWED", "Edit not allowed", s403, "manage"},
	{4002, "EDIT_FAILED", "Edit failed", s502, "manage"},
	{4003, "PIN_NOT_ALLOWED", "Pin not allowed", s403, "manage"},
	{4004, "STAR_FAILED", "Star failed", s502, "manage"},
	{4005, "REACTION_FAILED", "Reaction failed", s502, "manage"},

	{4500, "CHAT_READ_FAILED", "Mark as read failed", s502, "chat"},
	{4501, "CHAT_ARCHIVE_FAILED", "Archive failed", s502, "chat"},
	{4502, "CHAT_MUTE_FAILED", "Mute failed", s502, "chat"},
	{4503, "CHAT_PIN_FAILED", "Pin failed", s502, "chat"},
	{4504, "CHAT_CLEAR_FAILED", "Clear failed", s502, "chat"},

	{5000, "GROUP_CREATE_FAILED", "Group creation failed", s502, "group"},
	{5001, "GROUP_NOT_ADMIN", "Not a group admin", s403, "group"},
	{5002, "GROUP_PARTICIPANTS_FAILED", "Participants update failed", s502, "group"},
	{5003, "GROUP_INVITE_FAILED", "Invite failed", s502, "group"},
	{5004, "GROUP_INVITE_INVALID", "Invalid invite", s400, "group"},
	{5005, "GROUP_JOIN_FAILED", "Join failed", s502, "group"},
	{5006, "GROUP_LEAVE_FAILED", "Leave failed", s502, "group"},
	{5007, "GROUP_UPDATE_FAILED", "Group update failed", s502, "group"},
	{5008, "GROUP_PICTURE_FAILED", "Group picture update failed", s502, "group"},
	{5009, "GROUP_REQUESTS_FAILED", "Join requests update failed", s502, "group"},
	{5010, "GROUP_LIMIT_REACHED", "Group limit reached", s409, "group"},

	{5500, "MEDIA_PROCESS_FAILED", "Media processing failed", s500, "media"},
	{5501, "MEDIA_UNSUPPORTED", "Unsupported media", s415, "media"},
	{5502, "MEDIA_DECRYPT_FAILED", "Media decryption failed", s400, "media"},
	{5503, "MEDIA_FETCH_FAILED", "Media fetch failed", s502, "media"},
	{5504, "MEDIA_STORAGE_FAILED", "Media storage failed", s500, "media"},

	{6000, "PROFILE_UPDATE_FAILED", "Profile update failed", s502, "user"},
	{6001, "PRIVACY_FAILED", "Privacy settings failed", s502, "user"},
	{6002, "CONTACTS_FAILED", "Contacts lookup failed", s502, "user"},
	{6003, "NOT_ON_WHATSAPP", "Number is not on WhatsApp", s404, "user"},
	{6004, "BUSINESS_PROFILE_NOT_FOUND", "Business profile not found", s404, "user"},

	{7000, "JOB_NOT_FOUND", "Job not found", s404, "jobs"},
	{7001, "JOB_FAILED", "Job failed", s500, "jobs"},
	{7002, "JOB_TIMEOUT", "Job timed out", s504, "jobs"},
	{7003, "JOB_CANCELLED", "Job cancelled", s409, "jobs"},
	{7004, "JOB_RETRY_EXHAUSTED", "Job retries exhausted", s500, "jobs"},
	{7005, "JOB_QUEUE_FULL", "Job queue full", s503, "jobs"},

	{8000, "INTERNAL_ERROR", "Internal server error", s500, "server"},
	{8001, "SERVICE_UNAVAILABLE", "Service unavailable", s503, "server"},
	{8002, "DATABASE_ERROR", "Database error", s500, "server"},
	{8003, "STORAGE_ERROR", "Storage error", s500, "server"},
	{8004, "CACHE_ERROR", "Cache error", s500, "server"},
	{8005, "NOT_IMPLEMENTED", "Not implemented", s501, "server"},
	{8006, "MAINTENANCE", "Under maintenance", s503, "server"},
}

var codeIndex = func() map[int]AppCode {
	m := make(map[int]AppCode, len(codeTable))
	for _, c := range codeTable {
		m[c.Code] = c
	}
	return m
}()

// lookupCode returns a table entry; unknown codes read as INTERNAL_ERROR.
func lookupCode(code int) AppCode {
	if c, ok := codeIndex[code]; ok {
		return c
	}
	return codeIndex[codeInternal]
}
