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

    /// A whole page around `main`: the dashboard's (stylesheet and script from the server, the site's
    /// header), or, with `inlineStyle`, a page that stands alone (the style written in, no script, no
    /// links to the server: a report).
    static func page(title: String, main: String, inlineStyle: String? = nil) -> String {
        let head =
            inlineStyle.map { "<style>\n\($0)\n</style>" } ?? "<link rel=\"stylesheet\" href=\"/static/vigil.css\">"
        let header =
            inlineStyle != nil
            ? ""
            : """
            <a class="skip" href="#content">Skip to content</a>
            <header>
            <a class="brand" href="/">Vigil</a>
            <nav aria-label="Main"><a href="/">Overview</a><a href="/api/v1/openapi.json">API</a></nav>
            <span id="live" role="status" aria-live="polite">Live updates need JavaScript; reload to refresh.</span>
            </header>

            """
        let script = inlineStyle != nil ? "" : "<script src=\"/static/vigil.js\" defer></script>\n"
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>\(escape(title)) · Vigil</title>
            \(head)
            </head>
            <body>
            \(header)<main id="content">
            \(main)
            </main>
            \(script)</body>
            </html>

            """
    }

    /// An event's evidence and affected prefixes, as the event page and a report show them.
    static func evidenceAndPrefixes(_ e: DetectedEvent) -> String {
        "<h2>Evidence</h2><ul class=\"evidence\">" + e.evidence.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
            + "<h2>Affected prefixes</h2><ul>" + e.prefixes.map { "<li>\(escape($0.description))</li>" }.joined()
            + "</ul>"
    }
}
