import { describe, expect, it } from "vitest";

import { FakeBackend, fakeComment } from "../backend/fake";
import { CommentSession } from "./commentTriage";
import { basisTag, triageKey } from "./triage";

function comments() {
  return [
    fakeComment(11, "Cannot find where to approve leave", { category: "usability", confidence: 0.38 }),
    fakeComment(12, "Payslip missing overtime again", { category: "major_bug", confidence: 0.52 }),
  ];
}

describe("survey comments in triage", () => {
  it("starts at the stored category and walks with j/k, clamped", () => {
    const s = new CommentSession(comments());
    expect([s.current?.response_id, s.draft]).toEqual([11, "usability"]);
    s.apply(triageKey("j"));
    expect([s.current?.response_id, s.draft]).toEqual([12, "major_bug"]);
    s.apply(triageKey("j"));
    expect(s.index).toBe(1);
    s.apply(triageKey("k"));
    expect(s.current?.response_id).toBe(11);
  });

  it("a digit picks the category, i/u do nothing, Enter saves it through the backend and moves on", async () => {
    const b = new FakeBackend();
    b.comments.rows = comments();
    const s = new CommentSession(await b.commentTriageQueue());
    s.apply(triageKey("8"));
    s.apply(triageKey("i"));
    expect(s.draft).toBe("training");
    await s.confirm(b);
    expect(b.comments.saved).toEqual([{ responseId: 11, category: "training" }]);
    expect(s.queue[0]).toMatchObject({ category: "training", category_overridden: true });
    expect([s.current?.response_id, s.confirmed.size]).toEqual([12, 1]);
    // Reloaded, the user's category is what the backend lists.
    const again = new CommentSession(await b.commentTriageQueue(), 11);
    expect([again.current?.response_id, again.draft, again.current?.category_overridden]).toEqual([11, "training", true]);
  });

  it("a failed save keeps the draft and the position", async () => {
    const b = new FakeBackend();
    b.comments.rows = comments();
    const s = new CommentSession(await b.commentTriageQueue());
    s.apply(triageKey("0"));
    b.failWith = { code: "internal", message: "disk full" };
    await expect(s.confirm(b)).rejects.toMatchObject({ message: "disk full" });
    expect([s.current?.response_id, s.draft, s.confirmed.size]).toEqual([11, "data_issue", 0]);
    expect(b.comments.saved).toEqual([]);
  });

  it("an empty queue has nothing to confirm", async () => {
    const s = new CommentSession([]);
    await s.confirm(new FakeBackend());
    expect([s.current, s.draft]).toEqual([null, null]);
  });
});

describe("a comment triaged on words", () => {
  it("is tagged 'from words only' as a ticket is, until the language model has seen it", async () => {
    const b = new FakeBackend();
    b.comments.rows = [fakeComment(11, "Slow payslips", { basis: "words" }), fakeComment(12, "Cannot find approve", { basis: "embedding" })];
    const s = new CommentSession(await b.commentTriageQueue());
    expect(basisTag(s.current!.basis, "comment", true)).toEqual({
      text: "from words only",
      title: "This comment's text has not been through the language model yet; it is refined in the background",
    });
    s.move(1);
    expect(basisTag(s.current!.basis, "comment", true)).toBeNull();
    expect(basisTag("words", "ticket", true)?.text).toBe(basisTag("words", "comment", true)?.text);
  });
});
