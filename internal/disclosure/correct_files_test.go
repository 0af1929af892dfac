package disclosure_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// pdfBytes is a small PDF whose text makes its hash differ per call.
func pdfBytes(text string) []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text + "\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

func leafCount(t *testing.T, db *store.DB, kind string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM tlog_leaves WHERE kind = ?`, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func sums(fs []disclosure.Attachment) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.SHA256)
	}
	return out
}

func sameSums(a []disclosure.Attachment, want ...disclosure.Attachment) bool {
	if len(a) != len(want) {
		return false
	}
	for i := range a {
		if a[i].SHA256 != want[i].SHA256 {
			return false
		}
	}
	return true
}

// put stores a file in the service's file store.
func (e *env) put(t *testing.T, b []byte, name string) disclosure.Attachment {
	t.Helper()
	att, err := e.svc.Files().Put(bytesReader(b), name)
	if err != nil {
		t.Fatal(err)
	}
	return att
}

func TestCorrectAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		A, B := e.demo.Suojin4, e.demo.Suojin1
		it := e.item(t, A, "relief")
		put := func(b []byte, name string) disclosure.Attachment { return e.put(t, b, name) }
		photo := put(pngBytes(t), "发放现场.png")
		wrong := put(pdfBytes("wrong list"), "发放名单（错）.pdf")
		d, err := e.svc.CreateDraft(ctx, e.cadreA, A, disclosure.DraftInput{ItemID: it.ID, Title: "九月救济物资发放", Body: "大米二十袋，食用油二十桶。"})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []disclosure.Attachment{photo, wrong} {
			if err := e.svc.AttachToDraft(ctx, e.cadreA, A, d.ID, f); err != nil {
				t.Fatal(err)
			}
		}
		v1, err := e.svc.Publish(ctx, e.cadreA, A, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		leaf1 := v1.LeafIndex
		right := put(pdfBytes("right list"), "发放名单.pdf")

		// Bad input is refused per field and writes nothing.
		before := leafCount(t, db, disclosure.LeafKind)
		bad := []struct {
			field string
			in    disclosure.CorrectInput
		}{
			{"body", disclosure.CorrectInput{Title: v1.Title, Body: v1.Body, Reason: "没有任何改动", Version: 1}},
			{"files", disclosure.CorrectInput{Title: v1.Title, Body: v1.Body, Reason: "删去不存在的附件", Version: 1, Drop: []string{right.SHA256}}},
			{"file", disclosure.CorrectInput{Title: v1.Title, Body: v1.Body, Reason: "重复上传同一文件", Version: 1, Add: []disclosure.Attachment{photo}}},
			{"file", disclosure.CorrectInput{Title: v1.Title, Body: v1.Body, Reason: "附件哈希无效", Version: 1, Add: []disclosure.Attachment{{SHA256: "nothex", Name: "x.pdf", ContentType: "application/pdf", Size: 10}}}},
			{"reason", disclosure.CorrectInput{Title: v1.Title, Body: v1.Body, Version: 1, Drop: []string{wrong.SHA256}, Add: []disclosure.Attachment{right}}},
		}
		for _, c := range bad {
			if _, err := e.svc.Correct(ctx, e.cadreA, A, v1.DisclosureID, c.in); mingbai.ErrorField(err) != c.field {
				t.Errorf("want error on %s, got %v", c.field, err)
			}
		}
		// The check the web layer runs before storing uploads agrees.
		if err := e.svc.CheckCorrect(ctx, e.cadreA, A, v1.DisclosureID, disclosure.CorrectInput{Title: v1.Title, Body: v1.Body, Version: 1}, 1); mingbai.ErrorField(err) != "reason" {
			t.Errorf("check without reason: %v", err)
		}
		if err := e.svc.CheckCorrect(ctx, e.cadreA, A, v1.DisclosureID, disclosure.CorrectInput{Title: v1.Title, Body: v1.Body, Reason: "换上正确名单", Version: 1}, 1); err != nil {
			t.Errorf("check of a files-only correction: %v", err)
		}
		if err := e.svc.CheckCorrect(ctx, e.cadreA, A, v1.DisclosureID, disclosure.CorrectInput{Title: v1.Title, Body: v1.Body, Reason: "什么也没改", Version: 1}, 0); mingbai.ErrorField(err) != "body" {
			t.Errorf("check of no change: %v", err)
		}
		// A cadre of another community cannot, through either path.
		fix := disclosure.CorrectInput{Title: v1.Title, Body: v1.Body, Reason: "名单文件传错，换上正确名单", Version: 1, Drop: []string{wrong.SHA256}, Add: []disclosure.Attachment{right}}
		if _, err := e.svc.Correct(ctx, e.cadreB, A, v1.DisclosureID, fix); code(err) != mingbai.EFORBIDDEN {
			t.Errorf("B corrects A's files: %v", err)
		}
		if _, err := e.svc.Correct(ctx, e.cadreB, B, v1.DisclosureID, fix); code(err) != mingbai.ENOTFOUND {
			t.Errorf("B corrects A's files through B: %v", err)
		}
		if err := e.svc.CheckCorrect(ctx, e.cadreB, A, v1.DisclosureID, fix, 1); code(err) != mingbai.EFORBIDDEN {
			t.Errorf("B checks a correction of A: %v", err)
		}
		if got := leafCount(t, db, disclosure.LeafKind); got != before {
			t.Fatalf("refused corrections appended %d leaves", got-before)
		}

		// Same text, different files: accepted.
		e.now = e.now.Add(time.Hour)
		v2, err := e.svc.Correct(ctx, e.cadreA, A, v1.DisclosureID, fix)
		if err != nil {
			t.Fatal(err)
		}
		if !sameSums(v2.Files, photo, right) {
			t.Errorf("v2 files %v", sums(v2.Files))
		}
		checkLeaf(t, e, v2, &leaf1, nil)
		// The leaf commits to the new list: the content it hashes names it.
		raw, err := e.log.Content(ctx, v2.LeafIndex)
		if err != nil {
			t.Fatal(err)
		}
		var content struct {
			Attachments []struct{ Name, SHA256 string } `json:"attachments"`
		}
		if err := json.Unmarshal(raw, &content); err != nil {
			t.Fatal(err)
		}
		if len(content.Attachments) != 2 || content.Attachments[0].SHA256 != photo.SHA256 || content.Attachments[1].SHA256 != right.SHA256 || content.Attachments[1].Name != "发放名单.pdf" {
			t.Errorf("leaf content attachments: %+v", content.Attachments)
		}

		// Version 1 is as it was, its wrong file still served.
		_, versions, err := e.svc.Disclosure(ctx, A, v1.DisclosureID)
		if err != nil {
			t.Fatal(err)
		}
		if len(versions) != 2 || !sameSums(versions[0].Files, photo, wrong) || versions[0].ContentSHA256 != v1.ContentSHA256 {
			t.Errorf("version 1 changed: %+v", versions[0])
		}
		checkLeaf(t, e, &versions[0], nil, nil)
		if _, err := e.svc.FileOf(ctx, A, wrong.SHA256); err != nil {
			t.Errorf("version 1's file no longer served: %v", err)
		}
		if f, err := e.svc.Files().Open(wrong.SHA256); err != nil {
			t.Errorf("version 1's file gone: %v", err)
		} else {
			f.Close()
		}
		diff := disclosure.Compare(&versions[0], &versions[1])
		if !diff.FilesChanged() || !sameSums(diff.AddedFiles, right) || !sameSums(diff.RemovedFiles, wrong) {
			t.Errorf("diff files: added %v removed %v", sums(diff.AddedFiles), sums(diff.RemovedFiles))
		}

		// Text and files together; dropping every file is allowed.
		v3, err := e.svc.Correct(ctx, e.cadreA, A, v1.DisclosureID, disclosure.CorrectInput{
			Title: v1.Title, Body: "大米二十袋，食用油十九桶。", Reason: "油的数量写错，照片另行公开", Version: 2, Drop: []string{photo.SHA256, right.SHA256},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(v3.Files) != 0 {
			t.Errorf("v3 files %v", sums(v3.Files))
		}

		// Redaction still works on a corrected version's new file: once no
		// public version has it, it is no longer served or stored.
		if err := e.svc.Redact(ctx, e.cadreA, A, v1.DisclosureID, 2, disclosure.RedactInput{
			What: "发放名单", Why: "名单含有身份证号", DropFiles: []string{right.SHA256},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FileOf(ctx, A, right.SHA256); code(err) != mingbai.ENOTFOUND {
			t.Errorf("redacted file still served: %v", err)
		}
		if f, err := e.svc.Files().Open(right.SHA256); err == nil {
			f.Close()
			t.Error("redacted file still on disk")
		}
		if _, err := e.log.Content(ctx, v2.LeafIndex); !errors.Is(err, tlog.ErrRedacted) {
			t.Errorf("content of the redacted version: %v", err)
		}
		// The photo was on version 1 and 2 and stays.
		if _, err := e.svc.FileOf(ctx, A, photo.SHA256); err != nil {
			t.Errorf("photo: %v", err)
		}

		// fsck with the real content sources agrees with every leaf.
		if _, err := e.log.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Sources: e.log.Sources()})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) != 0 || rep.Content.Redacted != 1 || rep.Content.Unchecked != 0 {
			t.Errorf("fsck: %+v", rep)
		}
	})
}

// TestForgetUploads: the files stored for a form that then failed leave
// the disk, unless a draft or a version (of any community) shows them.
func TestForgetUploads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		A, B := e.demo.Suojin4, e.demo.Suojin1
		put := func(b []byte, name string) disclosure.Attachment { return e.put(t, b, name) }
		stored := func(f disclosure.Attachment) bool {
			file, err := e.svc.Files().Open(f.SHA256)
			if err != nil {
				return false
			}
			file.Close()
			return true
		}
		inDraft := put(pdfBytes("in a draft of B"), "草稿附件.pdf")
		d, err := e.svc.CreateDraft(ctx, e.cadreB, B, disclosure.DraftInput{ItemID: e.item(t, B, "relief").ID, Title: "草稿", Body: "草稿正文"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AttachToDraft(ctx, e.cadreB, B, d.ID, inDraft); err != nil {
			t.Fatal(err)
		}
		published := put(pdfBytes("published by A"), "已公开.pdf")
		d, err = e.svc.CreateDraft(ctx, e.cadreA, A, disclosure.DraftInput{ItemID: e.item(t, A, "relief").ID, Title: "发放情况", Body: "大米二十袋。"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AttachToDraft(ctx, e.cadreA, A, d.ID, published); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Publish(ctx, e.cadreA, A, d.ID); err != nil {
			t.Fatal(err)
		}
		unused := put(pdfBytes("stored for a failed form"), "失败的更正.pdf")

		if err := e.svc.ForgetUploads(ctx, []disclosure.Attachment{inDraft, published, unused, {}}); err != nil {
			t.Fatal(err)
		}
		if stored(unused) {
			t.Error("a file nothing shows is still on disk")
		}
		if !stored(inDraft) || !stored(published) {
			t.Errorf("a file in use was removed: in a draft %v, published %v", stored(inDraft), stored(published))
		}
	})
}
