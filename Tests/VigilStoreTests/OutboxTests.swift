import Foundation
import Testing
import Vigil
import VigilTesting

@testable import VigilStore

/// The webhook outbox and the annotations, on a real SQLite file.
@Suite(.ownThread) struct OutboxTests {
    @Test("queued alerts come back in order per hook; delivery, failure and giving up are recorded")
    func queue() throws {
        let path = VigilStoreTests.temporaryPath()
        let store = try History(path: path)
        try store.enqueue(hook: "h", subject: "event:1", kind: "event_start", body: "a", at: 10, told: "open")
        try store.enqueue(hook: "other", subject: "event:1", kind: "event_start", body: "x", at: 10, told: "open")
        try store.enqueue(hook: "h", subject: "event:1", kind: "event_end", body: "b", at: 11, told: "closed")
        var pending = try store.pendingAlerts(hook: "h")
        #expect(pending.map(\.body) == ["a", "b"])
        #expect(pending.map(\.nextTry) == [10, 11])
        #expect(try store.alertLog(hook: "h", subject: "event:1")?.told == "closed")
        #expect(try store.pendingAlertCounts() == ["h": 2, "other": 1])

        let first = try #require(pending.first)
        try store.markFailed(id: first.id, error: "HTTP 503", retryAt: 20)
        pending = try store.pendingAlerts(hook: "h")
        #expect(pending.first?.attempts == 1)
        #expect(pending.first?.lastError == "HTTP 503")
        #expect(pending.first?.nextTry == 20)
        try store.markDelivered(id: first.id, at: 21)
        try store.giveUp(id: pending[1].id, error: "HTTP 400", at: 22)
        #expect(try store.pendingAlerts(hook: "h").isEmpty)
        let all = try store.outbox(hook: "h")
        #expect(all.map(\.delivered) == [21, 22])
        #expect(all.map(\.attempts) == [2, 1])
        #expect(all.last?.lastError == "gave up: HTTP 400")
        // The queue outlives the process: a second opener sees the same rows.
        #expect(try History(path: path).pendingAlerts(hook: "other").map(\.body) == ["x"])
    }

    @Test("replacing keeps one waiting update per subject; cancelling drops a subject's waiting alerts")
    func coalesce() throws {
        let store = try History(path: VigilStoreTests.temporaryPath())
        for (i, body) in ["u1", "u2", "u3"].enumerated() {
            try store.enqueue(
                hook: "h", subject: "event:4", kind: "event_update", body: body, at: Double(i), told: body,
                replacing: true)
        }
        #expect(try store.pendingAlerts(hook: "h").map(\.body) == ["u3"])
        try store.enqueue(hook: "h", subject: "feed:1", kind: "feed_lost", body: "lost", at: 5, told: "lost")
        #expect(try store.cancelPending(hook: "h", subject: "feed:1", told: "ignored", at: 6) == 1)
        #expect(try store.pendingAlerts(hook: "h").map(\.body) == ["u3"])
        #expect(try store.alertLog(hook: "h", subject: "feed:1")?.told == "ignored")
    }

    @Test("annotations keep their text byte for byte, per event, oldest first")
    func annotations() throws {
        let store = try History(path: VigilStoreTests.temporaryPath())
        let a = try store.addAnnotation(eventID: 3, author: "ana", text: "power cut \"Pyongyang\" <b>", at: 100)
        _ = try store.addAnnotation(eventID: 4, author: "bo", text: "other", at: 50)
        _ = try store.addAnnotation(eventID: 3, author: "cy", text: "second", at: 200)
        #expect(try store.annotations(eventID: 3).map(\.text) == ["power cut \"Pyongyang\" <b>", "second"])
        #expect(try store.annotations(eventID: 3).first == a)
        #expect(try store.annotations(eventID: 5).isEmpty)
    }

    @Test("events changed since a time, and a version that moves with every change")
    func changes() throws {
        let store = try History(path: VigilStoreTests.temporaryPath())
        let v0 = try store.version()
        let before = Date().timeIntervalSince1970
        try store.save(event: VigilStoreTests.event(id: 1, end: nil), open: true)
        let v1 = try store.version()
        #expect(v1 != v0)
        #expect(try store.events(updatedSince: before).map(\.event.id) == [1])
        #expect(try store.events(updatedSince: before).first?.open == true)
        #expect(try store.events(updatedSince: Date().timeIntervalSince1970 + 60).isEmpty)
        _ = try store.addAnnotation(eventID: 1, author: "a", text: "b", at: 1)
        #expect(try store.version() != v1)
    }
}
