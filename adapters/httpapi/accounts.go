package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
)

func (h *handlers) registerAccounts() {
	register(h, route{id: "postAuthLogin", method: http.MethodPost, path: "/api/auth/login", tag: "Auth",
		summary: "Log in: starts a login session (a key that expires; other keys stay valid) and sets the docs cookie"}, h.login)
	register(h, route{id: "postAuthLogout", method: http.MethodPost, path: "/api/auth/logout", tag: "Auth",
		summary: "Log out: ends the login session of the key or docs cookie sent, and clears the cookie",
		before:  huma.Middlewares{withCredentials}}, h.logout)

	register(h, route{id: "getAuthMe", method: http.MethodGet, path: "/api/auth/me", tag: "Auth", access: accessUser,
		summary: "Who the caller is: the user behind the key or login cookie sent"}, h.me)

	const tag = "Accounts"
	user := func(id, method, path, summary string) route {
		return route{id: id, method: method, path: path, tag: tag, summary: summary, access: accessUser,
			errors: []int{http.StatusNotFound, http.StatusConflict}}
	}
	register(h, user("getUsers", http.MethodGet, "/api/v1/users", "List users (admin)"), h.listUsers)
	created := func(r route) route { r.status = http.StatusCreated; return r }
	register(h, created(user("postUsers", http.MethodPost, "/api/v1/users", "Create a user (admin)")), h.createUser)
	register(h, user("putUserLimits", http.MethodPut, "/api/v1/users/{userId}/limits",
		"Set a user's caps on sessions and event streams (admin); null takes the server default, 0 is unlimited"), h.setUserLimits)
	register(h, user("getUserKeys", http.MethodGet, "/api/v1/users/{userId}/keys", "List a user's API keys (admin, or the user)"), h.listKeys)
	register(h, created(user("postUserKeys", http.MethodPost, "/api/v1/users/{userId}/keys", "Issue an API key; the key is shown once (admin, or the user)")), h.issueKey)
	register(h, user("deleteUserKey", http.MethodDelete, "/api/v1/users/{userId}/keys/{keyId}", "Revoke an API key (admin, or the user)"), h.revokeKey)
}

type loginInput struct {
	Body struct {
		_        struct{} `additionalProperties:"true"`
		Username string   `json:"username" minLength:"1" doc:"matched ignoring case"`
		Password string   `json:"password" minLength:"1"`
		Next     string   `json:"next,omitempty" doc:"where the login page goes next; only a path on this site is kept (see redirect)"`
	}
}

// loginResult is plain JSON, not the envelope, as WAREST's login answers.
type loginResult struct {
	APIKey    string `json:"apiKey" doc:"the login session's key, valid until expiresAt or logout"`
	Role      string `json:"role" enum:"admin,user"`
	IsAdmin   bool   `json:"isAdmin"`
	Username  string `json:"username"`
	Registry  string `json:"registry"`
	ExpiresAt string `json:"expiresAt" doc:"when the login session ends"`
	Redirect  string `json:"redirect" doc:"next when it is a path on this site, else /docs"`
}

type loginOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      loginResult
}

func (h *handlers) login(ctx context.Context, in *loginInput) (*loginOutput, error) {
	res, err := h.cmd.Logins.Login(ctx, in.Body.Username, in.Body.Password, clientFrom(ctx))
	if err != nil {
		return nil, err
	}
	u, k := res.User, res.Session
	// The cookie names the login session and lasts as long; the store decides when
	// it ends (expiry, logout), the cookie's own expiry only bounds the browser's copy.
	ttl := k.ExpiresAt.Sub(k.CreatedAt)
	cookie := h.cookies.sign(account.Principal{User: u, KeyID: k.ID}, time.Now().Add(ttl))
	return &loginOutput{
		SetCookie: h.docsCookie(cookie, int(ttl.Seconds())),
		Body: loginResult{APIKey: res.Key, Role: string(u.Role), IsAdmin: u.IsAdmin(), Username: u.Username, Registry: u.Registry,
			ExpiresAt: isoTime(*k.ExpiresAt), Redirect: localPath(in.Body.Next)},
	}, nil
}

type logoutOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      struct {
		OK bool `json:"ok"`
	}
}

// logout ends the login session behind each credential sent: the key a login
// returned, and the one the docs cookie names. Invalid or missing credentials end
// nothing and still clear the cookie, as WAREST's logout always answers ok.
func (h *handlers) logout(ctx context.Context, _ *struct{}) (*logoutOutput, error) {
	c := credentialsFrom(ctx)
	for _, resolve := range []func() (account.Principal, error){
		func() (account.Principal, error) { return h.q.Principals.Authenticate(ctx, c.key) },
		func() (account.Principal, error) { return h.cookiePrincipal(ctx, c.cookie) },
	} {
		p, err := resolve()
		if fault.Is(err, fault.KindUnauthorized) {
			continue
		}
		if err == nil {
			err = h.cmd.Logins.Logout(ctx, p)
		}
		if err != nil {
			return nil, err
		}
	}
	out := &logoutOutput{SetCookie: h.docsCookie("", -1)}
	out.Body.OK = true
	return out, nil
}

func (h *handlers) me(ctx context.Context, _ *struct{}) (*Response[userDTO], error) {
	return success("Caller fetched", toUserDTO(principal(ctx).User)), nil
}

// userDTO never carries the password hash.
type userDTO struct {
	ID        string `json:"id"`
	Username  string `json:"username"`
	Role      string `json:"role" enum:"admin,user"`
	Registry  string `json:"registry"`
	CreatedAt string `json:"createdAt"`
	limitsDTO
}

// limitsDTO is a user's overrides of the server's caps.
type limitsDTO struct {
	MaxSessions *int `json:"maxSessions" required:"false" nullable:"true" minimum:"0" maximum:"1000000" doc:"sessions the user may own; null: WAREST_MAX_SESSIONS_PER_USER (admins: unlimited); 0: unlimited"`
	MaxStreams  *int `json:"maxStreams" required:"false" nullable:"true" minimum:"0" maximum:"1000000" doc:"event streams the user may hold open on one node; null: WAREST_MAX_STREAMS_PER_USER (admins: unlimited); 0: unlimited"`
}

func toUserDTO(u account.User) userDTO {
	return userDTO{ID: u.ID, Username: u.Username, Role: string(u.Role), Registry: u.Registry, CreatedAt: isoTime(u.CreatedAt),
		limitsDTO: limitsDTO{MaxSessions: u.Limits.MaxSessions, MaxStreams: u.Limits.MaxStreams}}
}

func (h *handlers) listUsers(ctx context.Context, _ *struct{}) (*Response[userDTO], error) {
	users, err := h.q.Accounts.Users(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	out := make([]userDTO, len(users))
	for i, u := range users {
		out[i] = toUserDTO(u)
	}
	return success("Users fetched", out...), nil
}

type createUserInput struct {
	Body struct {
		Username string `json:"username" minLength:"1"`
		Password string `json:"password" minLength:"1"`
		Role     string `json:"role,omitempty" enum:"admin,user" default:"user"`
	}
}

func (h *handlers) createUser(ctx context.Context, in *createUserInput) (*Response[userDTO], error) {
	u, err := h.cmd.Users.CreateUser(ctx, principal(ctx), in.Body.Username, in.Body.Password, account.Role(in.Body.Role))
	if err != nil {
		return nil, err
	}
	return reply(http.StatusCreated, codeSuccess, "User created", toUserDTO(u)), nil
}

type userLimitsInput struct {
	UserPath
	Body limitsDTO
}

func (h *handlers) setUserLimits(ctx context.Context, in *userLimitsInput) (*Response[userDTO], error) {
	u, err := h.cmd.Users.SetUserLimits(ctx, principal(ctx), in.UserID,
		account.Limits{MaxSessions: in.Body.MaxSessions, MaxStreams: in.Body.MaxStreams})
	if err != nil {
		return nil, err
	}
	return success("User limits updated", toUserDTO(u)), nil
}

// keyDTO never carries the key hash; Key is the plaintext, present once on creation.
type keyDTO struct {
	ID         string  `json:"id"`
	UserID     string  `json:"userId"`
	Kind       string  `json:"kind" enum:"api,login" doc:"api: permanent until revoked; login: a login session, ends at expiresAt or logout"`
	Name       string  `json:"name"`
	Prefix     string  `json:"prefix" doc:"first characters of the key, to tell keys apart"`
	Key        string  `json:"key,omitempty" doc:"the key itself, returned only when it is issued"`
	CreatedAt  string  `json:"createdAt"`
	ExpiresAt  *string `json:"expiresAt" doc:"login sessions only"`
	RevokedAt  *string `json:"revokedAt"`
	LastUsedAt *string `json:"lastUsedAt" doc:"last use, recorded at most once a minute"`
}

func toKeyDTO(k account.APIKey) keyDTO {
	return keyDTO{ID: k.ID, UserID: k.UserID, Kind: string(k.Kind), Name: k.Name, Prefix: k.Prefix, CreatedAt: isoTime(k.CreatedAt),
		ExpiresAt: isoTimePtr(k.ExpiresAt), RevokedAt: isoTimePtr(k.RevokedAt), LastUsedAt: isoTimePtr(k.LastUsedAt)}
}

func isoTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	v := isoTime(*t)
	return &v
}

// UserPath selects a user by id in the path.
type UserPath struct {
	UserID string `path:"userId"`
}

func (h *handlers) listKeys(ctx context.Context, in *UserPath) (*Response[keyDTO], error) {
	keys, err := h.q.Accounts.Keys(ctx, principal(ctx), in.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]keyDTO, len(keys))
	for i, k := range keys {
		out[i] = toKeyDTO(k)
	}
	return success("Keys fetched", out...), nil
}

type issueKeyInput struct {
	UserPath
	Body *struct {
		Name string `json:"name,omitempty" maxLength:"64" example:"n8n"`
	} `required:"false"`
}

func (h *handlers) issueKey(ctx context.Context, in *issueKeyInput) (*Response[keyDTO], error) {
	name := ""
	if in.Body != nil {
		name = in.Body.Name
	}
	plain, k, err := h.cmd.Users.IssueKey(ctx, principal(ctx), in.UserID, name)
	if err != nil {
		return nil, err
	}
	d := toKeyDTO(k)
	d.Key = plain
	return reply(http.StatusCreated, codeSuccess, "API key issued; it is shown only once", d), nil
}

type revokeKeyInput struct {
	UserPath
	KeyID string `path:"keyId"`
}

type revokedDTO struct {
	ID      string `json:"id"`
	Revoked bool   `json:"revoked"`
}

func (h *handlers) revokeKey(ctx context.Context, in *revokeKeyInput) (*Response[revokedDTO], error) {
	if err := h.cmd.Users.RevokeKey(ctx, principal(ctx), in.UserID, in.KeyID); err != nil {
		return nil, err
	}
	return success("API key revoked", revokedDTO{ID: in.KeyID, Revoked: true}), nil
}
