/// The update inputs of a replay ordered by their next record's time (ties by their order among the
/// inputs): a binary min-heap, so that picking the next input and the time before which nothing else
/// comes cost O(log n) and O(1) however many files are merged (a day of RIS is 288 files per collector).
struct MergeHeap {
    private var items: [(time: Double, index: Int)] = []

    /// The inputs that have a record, keyed by `time(i)`.
    init(count: Int, time: (Int) -> Double?) {
        for i in 0..<count { if let t = time(i) { items.append((t, i)) } }
        items.sort { Self.less($0, $1) }
    }

    @inline(__always)
    static func less(_ a: (time: Double, index: Int), _ b: (time: Double, index: Int)) -> Bool {
        a.time < b.time || (a.time == b.time && a.index < b.index)
    }

    /// The input whose record comes first, and its time.
    var top: (time: Double, index: Int)? { items.first }

    /// The earliest time among the other inputs (infinity when there are none).
    var secondTime: Double {
        switch items.count {
        case 0, 1: return .infinity
        case 2: return items[1].time
        default: return min(items[1].time, items[2].time)
        }
    }

    /// The top input moved on: its next record is at `time`, or it has none left.
    mutating func updateTop(_ time: Double?) {
        guard !items.isEmpty else { return }
        if let time {
            items[0].time = time
        } else {
            items[0] = items[items.count - 1]
            items.removeLast()
            if items.isEmpty { return }
        }
        var i = 0
        let n = items.count
        while true {
            let l = 2 * i + 1
            guard l < n else { return }
            var c = l
            if l + 1 < n, Self.less(items[l + 1], items[l]) { c = l + 1 }
            guard Self.less(items[c], items[i]) else { return }
            items.swapAt(c, i)
            i = c
        }
    }
}
