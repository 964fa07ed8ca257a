import BGP
import Vigil

/// HTML building for the dashboard: escaping of everything that comes from data, and the page frame.
enum HTML {
    /// `text` safe inside an element or a quoted attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A time as a `<time>` element: readable UTC text, machine-readable attribute.
    static func time(_ t: Double) -> String {
        let iso = UTCTime.iso(t)
        let readable = iso.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
        return "<time datetime=\"\(iso)\">\(readable)</time>"
    }

    /// A length of time in words: "45 s", "12 min", "3 h 5 min", "2 d 4 h".
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        if s < 86400 { return "\(s / 3600) h" + (s % 3600 / 60 > 0 ? " \(s % 3600 / 60) min" : "") }
        return "\(s / 86400) d" + (s % 86400 / 3600 > 0 ? " \(s % 86400 / 3600) h" : "")
    }

    /// The state as a badge: text and colour, so colour is never the only cue.
    static func state(_ state: String) -> String {
        "<span class=\"state state-\(state.replacingOccurrences(of: " ", with: "-"))\">\(escape(state))</span>"
    }

    /// A whole page around `main`.
    static func page(title: String, main: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>\(escape(title)) · Vigil</title>
        <link rel="stylesheet" href="/static/vigil.css">
        </head>
        <body>
        <a class="skip" href="#content">Skip to content</a>
        <header>
        <a class="brand" href="/">Vigil</a>
        <nav aria-label="Main"><a href="/">Overview</a><a href="/api/v1/openapi.json">API</a></nav>
        <span id="live" role="status" aria-live="polite">Live updates need JavaScript; reload to refresh.</span>
        </header>
        <main id="content">
        \(main)
        </main>
        <script src="/static/vigil.js" defer></script>
        </body>
        </html>
        """
    }
}
