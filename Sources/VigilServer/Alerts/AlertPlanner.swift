import Vigil
import VigilStore

/// One notification to queue for a hook.
struct AlertDraft: Sendable, Equatable {
    /// What it is about ("event:12", "feed:3") and what it says.
    var subject: String
    var kind: AlertKind
    /// What the hook will have been told once it is queued (the deduplication state).
    var told: String
    /// Replaces an update of the same subject still waiting (a newer scope supersedes an unsent one).
    var replacing: Bool
}

/// The notifications Vigil sends.
public enum AlertKind: String, Sendable, CaseIterable {
    /// An event opened, changed cause or scope, or ended.
    case eventStart = "event_start"
    case eventUpdate = "event_update"
    case eventEnd = "event_end"
    /// A source lost its data, and got it back.
    case feedLost = "feed_lost"
    case feedRestored = "feed_restored"
}

/// Decides what a hook must be told, from what it was told before: each event's start and end exactly
/// once, an update only when the cause or scope really changed, and feed gaps only when they outlast a
/// grace period (a flapping connection raises nothing).
enum AlertPlanner {
    /// The `told` state of an open event: its cause and scope.
    static func scope(_ e: DetectedEvent) -> String {
        "open " + e.cause.rawValue + " " + e.prefixes.map(\.description).sorted().joined(separator: ",") + " "
            + e.upstreams.sorted().map { "\($0)" }.joined(separator: ",")
    }

    /// What to queue for an event in the store, given what the hook was told about it (nil: nothing).
    static func plan(event e: DetectedEvent, open: Bool, told: String?) -> [AlertDraft] {
        let subject = "event:\(e.id)"
        let now = scope(e)
        switch told {
        case nil:
            let start = AlertDraft(subject: subject, kind: .eventStart, told: now, replacing: false)
            if open { return [start] }
            return [start, AlertDraft(subject: subject, kind: .eventEnd, told: "closed", replacing: false)]
        case "closed":
            return []
        case let before?:
            if !open { return [AlertDraft(subject: subject, kind: .eventEnd, told: "closed", replacing: true)] }
            if before != now { return [AlertDraft(subject: subject, kind: .eventUpdate, told: now, replacing: true)] }
            return []
        }
    }

    /// What to queue for a feed gap at `time`, given what the hook was told: a loss once it has lasted
    /// `grace` seconds, its end only when the loss was told. A gap shorter than the grace period is
    /// marked "ignored" and never told.
    static func plan(gap: FeedGap, told: String?, time: Double, grace: Double) -> [AlertDraft] {
        let subject = "feed:\(gap.id)"
        switch told {
        case nil:
            if let end = gap.end {
                if end - gap.start < grace {
                    return [AlertDraft(subject: subject, kind: .feedLost, told: "ignored", replacing: false)]
                }
                return [
                    AlertDraft(subject: subject, kind: .feedLost, told: "lost", replacing: false),
                    AlertDraft(subject: subject, kind: .feedRestored, told: "restored", replacing: false),
                ]
            }
            return time - gap.start >= grace
                ? [AlertDraft(subject: subject, kind: .feedLost, told: "lost", replacing: false)] : []
        case "lost":
            return gap.end == nil
                ? [] : [AlertDraft(subject: subject, kind: .feedRestored, told: "restored", replacing: false)]
        default:
            return []
        }
    }
}
