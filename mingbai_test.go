package mingbai_test

import (
	"errors"
	"fmt"
	"testing"

	"mingbai"
)

func TestErrorMessagesNeverLeakInternals(t *testing.T) {
	tests := []struct {
		err              error
		code, msg, field string
	}{
		{nil, "", "", ""},
		{errors.New("pq: relation users does not exist"), mingbai.EINTERNAL, "服务器内部错误", ""},
		{mingbai.Errorf(mingbai.ENOTFOUND, "找不到%s", "社区"), mingbai.ENOTFOUND, "找不到社区", ""},
		{fmt.Errorf("publish disclosure 7: %w", mingbai.FieldError("title", "请填写标题")), mingbai.EINVALID, "请填写标题", "title"},
		{mingbai.Errorf(mingbai.EINTERNAL, "secret"), mingbai.EINTERNAL, "服务器内部错误", ""},
	}
	for _, tt := range tests {
		if got := mingbai.ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
		}
		if got := mingbai.ErrorMessage(tt.err); got != tt.msg {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tt.err, got, tt.msg)
		}
		if got := mingbai.ErrorField(tt.err); got != tt.field {
			t.Errorf("ErrorField(%v) = %q, want %q", tt.err, got, tt.field)
		}
	}
}

func TestActorRoles(t *testing.T) {
	a := &mingbai.Actor{UserID: 1, Grants: []mingbai.Grant{
		{Role: mingbai.RoleCadre, UnitID: 10, Street: 5, District: 1},
		{Role: mingbai.RoleDistrictAdmin, UnitID: 1, District: 1},
	}}
	if !a.Has(mingbai.RoleCadre, 10) || a.Has(mingbai.RoleCadre, 11) || !a.IsDistrictAdmin(1) || a.OfficerOf(5) {
		t.Error("role checks wrong")
	}
	var anon *mingbai.Actor
	if !anon.Anonymous() || anon.Has(mingbai.RoleResident, 10) || !(&mingbai.Actor{}).Anonymous() {
		t.Error("anonymous actor checks wrong")
	}
	for _, r := range mingbai.Roles {
		if !r.Valid() || r.Label() == string(r) {
			t.Errorf("role %s lacks a unit kind or a Chinese label", r)
		}
	}
}

// TestSecondPerson: the four-eyes rule compares people, not roles: the
// actor's current grants play no part.
func TestSecondPerson(t *testing.T) {
	supervisor := &mingbai.Actor{UserID: 7, Grants: []mingbai.Grant{{Role: mingbai.RoleSupervisor, UnitID: 3}}}
	tests := []struct {
		a       *mingbai.Actor
		earlier []int64
		code    string
	}{
		{supervisor, []int64{8}, ""},
		{supervisor, []int64{8, 9}, ""},
		{supervisor, nil, ""},
		{supervisor, []int64{7}, mingbai.EFORBIDDEN},
		{supervisor, []int64{8, 7}, mingbai.EFORBIDDEN},
		{&mingbai.Actor{}, []int64{8}, mingbai.EUNAUTHORIZED},
		{nil, nil, mingbai.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		err := mingbai.SecondPerson(tt.a, tt.earlier...)
		if got := mingbai.ErrorCode(err); got != tt.code {
			t.Errorf("SecondPerson(%+v, %v) = %v, want code %q", tt.a, tt.earlier, err, tt.code)
		}
	}
}
