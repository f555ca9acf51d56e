import Foundation
import MemvaultSupport

/// Shapes the word lists cannot see: dates and clock times, national id numbers, street
/// addresses, postcodes, amounts of money and children's ages.
enum Patterns {
    struct Pattern: Sendable {
        /// The regular expression, compiled the first time a text gets past the digit count and
        /// the gate: compiling all of them took a sixth of a one-shot `classify` or
        /// `add --tier auto`, and most texts need few or none.
        private let compiled: CompiledOnUse
        var expression: NSRegularExpression { compiled.expression }
        let cue: Cue
        let weight: Double
        let name: String
        /// The fewest digits a match holds, to skip the expression on texts with fewer.
        let minimumDigits: Int
        /// A cheap test of the text and its word tokens that any match passes (a word it needs):
        /// the expression runs only when it holds, so texts without digits stay cheap.
        let gate: (@Sendable (String, Set<String>) -> Bool)?

        init(
            _ pattern: String, _ cue: Cue, _ weight: Double, _ name: String, caseInsensitive: Bool = true, minimumDigits: Int = 1,
            gate: (@Sendable (String, Set<String>) -> Bool)? = nil
        ) {
            self.minimumDigits = minimumDigits
            self.gate = gate
            compiled = CompiledOnUse(pattern, options: caseInsensitive ? [.caseInsensitive] : [])
            self.cue = cue
            self.weight = weight
            self.name = name
        }
    }

    /// A regular expression compiled on first use, once, from any thread.
    final class CompiledOnUse: Sendable {
        // NSRegularExpression is immutable after creation and safe to use from several threads at
        // once (Foundation documents it so); it is not marked Sendable, hence the unchecked box.
        private struct Box: @unchecked Sendable { let expression: NSRegularExpression }
        private let box: OnceValue<Box>

        init(_ pattern: String, options: NSRegularExpression.Options) {
            // The patterns are constants of this file; a test compiles every one of them.
            box = OnceValue { Box(expression: try! NSRegularExpression(pattern: pattern, options: options)) }
        }

        var expression: NSRegularExpression { box.value.expression }
    }

    private static let months =
        "jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|f[ée]vrier|m[äa]r(?:ch|z)?|mars|apr(?:il)?|avril|ma[iy]|june?|juni|juin|july|juli|juillet|aug(?:ust)?|ao[uû]t|sep(?:t|tember|tembre)?|o[ck]t(?:ober|obre)?|nov(?:ember|embre)?|de[cz](?:ember|embre)?|d[ée]cembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"

    // Patterns of the same cue and strength are one alternation, so a text is scanned few times.
    static let all: [Pattern] = [
        // Time anchors: ISO and numeric dates, a day and a month name, clock times.
        Pattern(
            #"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})\b"#
                + #"|\b\d{1,2}(?:st|nd|rd|th|er|\.)?\s+(?:of\s+|de\s+)?(?:\#(months))\b|\b(?:\#(months))\s+\d{1,2}(?:st|nd|rd|th)?\b"#
                + #"|\b(?:[01]?\d|2[0-3])(?::|h)[0-5]\d\b|\b\d{1,2}\s?(?:am|pm|uhr|h)\b"#,
            .timeAnchor, CompiledLexicon.strong, "date or time"),
        // Identity numbers: US SSN, Spanish DNI and NIE, UK National Insurance (upper case), French NIR.
        Pattern(
            #"\b\d{3}-\d{2}-\d{4}\b|\b\d{8}-?[A-HJ-NP-TV-Z]\b|\b[XYZ]-?\d{7}-?[A-Z]\b"#
                + #"|\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b"#
                + #"|\b[12]\s?\d{2}\s?(?:0[1-9]|1[0-2])\s?\d{2}\s?\d{3}\s?\d{3}(?:\s?\d{2})?\b"#,
            .identity, CompiledLexicon.strong, "national id number", caseInsensitive: false, minimumDigits: 6),
        // Street addresses with a house number (English: capitalised street names).
        Pattern(
            #"\b\d{1,5}[a-zA-Z]?,?\s+(?:[A-Z][\w'’-]*\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Close|Court|Place|Boulevard|Blvd|Way|Terrace|Crescent|Gardens|Square|Row|Grove)\b"#
                + #"|(?i:\b[\p{L}-]*(?:stra(?:ß|ss)e|str\.|gasse|allee|damm|ufer|chaussee)\s+\d{1,4}\s?[a-z]?\b)"#
                + #"|(?i:\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|all[ée]e|impasse|chemin|quai|cours|route)\s)"#
                + #"|(?i:\b(?:calle|c/|avenida|avda\.?|paseo|carrer|ronda)\s+(?:de\s+(?:la\s+|los\s+)?)?(?:\p{L}+\s+){0,4}(?:n[º°o]\.?\s*)?\d{1,4}\b)"#,
            .address, CompiledLexicon.strong, "street address", caseInsensitive: false),
        Pattern(
            #"(?i:\b\p{L}+(?:weg|platz|ring)\s+\d{1,4}[a-z]?\b(?!\s*(?:km|m|min|minuten|meter|stunden|euro)))"#
                + #"|\b\d{5}\s+(?!Euro|EUR|Dollar|Schritte|Meter|Kalorien)[A-ZÄÖÜÉ][\p{Ll}-]{2,}"#,
            .address, CompiledLexicon.medium, "postcode or street", caseInsensitive: false),
        // Money and children's ages.
        Pattern(#"[€$£]\s?\d|\d\s?(?:€|\$|£|eur\b|euros?\b|dollars?\b|chf\b)"#, .finances, CompiledLexicon.weak, "amount of money"),
        // German "Am Rosengarten 3", "An der Mühle 12" (not a month or a weekday).
        Pattern(
            #"\b(?:Am|An der|Auf der|In der|Im|Zum|Zur)\s+(?!(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag|Wochenende|Jahr)\b)\p{Lu}\p{Ll}+\s+\d{1,4}[a-z]?\b(?!\s*(?:Uhr|km|Minuten|Euro|%|Jahre))"#,
            .address, CompiledLexicon.medium, "street address", caseInsensitive: false),
        // "mit Tobias geschlafen": German puts the verb last.
        Pattern(#"\b[Mm]it\s+\p{Lu}\p{Ll}+\s+geschlafen\b"#, .intimate, CompiledLexicon.strong, "slept with", caseInsensitive: false, minimumDigits: 0,
                gate: { _, tokens in tokens.contains("geschlafen") }),
        // Credentials the scanner leaves to the classifier (it guards every plain write, so it
        // takes only unmistakable shapes): a login and a password side by side (also
        // `Service: login / Passw0rd-like`, the second with letters and digits), a secret word in
        // short or in another language followed by a value, a lock, door, alarm or one-time code
        // with its digits (further away after a colon), an API key or token word followed by a
        // long value.
        Pattern(
            #"\b[\w.+-]+@[\w-]+\.[\w.]+\s*(?:/|\|)\s*\S{6,}"#
                + #"|\b(?:admin|root|user(?:name)?|login|usuario|utilisateur|benutzer(?:name)?)\s*(?:/|:)\s*\S+\s*/\s*\S{6,}"#
                + #"|:\s*[\w.@-]{2,40}(?:\s+/\s*|\s*/\s+)(?=\S*\d)(?=\S*[A-Za-z])\S{8,}"#
                + #"|\b(?:pw|pwd|passwd|mdp|clave|kennwort|passwort|contrase(?:ñ|n)a|master\s?pass\w*|masterpasswort\w*|app password|pin)\b[^\n]{0,50}?(?:[:=]|\bis\b|\bist\b|\best\b|\bes\b)?\s*(?=\S*\d)(?=\S*[^\d\s])\S{6,}"#,
            .passwordHint, CompiledLexicon.strong, "login or password value", caseInsensitive: true, minimumDigits: 0,
            gate: { text, tokens in
                text.utf8.contains(0x40) || text.utf8.contains(0x2F)
                    || tokens.contains { passwordWords.contains($0) || $0.hasPrefix("master") }
            }),
        Pattern(
            #"\b(?:alarm\w*|alarme|alarma|combo|combination|combinaison|combinaci(?:ó|o)n|padlock|lock|antivol|antirrobo|cadenas|candado|locker|casier|taquilla|spind|door|haust(?:ü|u)re?|t(?:ü|u)re?|porte|portail|puerta|port(?:ó|o)n|"#
                + #"key ?safe|safe|tresor|coffre(?:-fort)?|caja fuerte|key ?box|lock ?box|schl(?:ü|u)sselkasten|schl(?:ü|u)sselbox|bo(?:î|i)te (?:à|a) cl(?:é|e)s|caja de llaves|opener|garage door|torcode|digicode|schl(?:ü|u)sselsafe|zahlenschloss|vorh(?:ä|a)ngeschloss|passcode|verification code|best(?:ä|a)tigungscode|"#
                + #"code de v(?:é|e)rification|c(?:ó|o)digo de verificaci(?:ó|o)n|one-time code|security code|sicherheitscode|cvv|cvc)\b(?:[^\n.]{0,40}?|[^\n.]{0,80}?:\s*)(?<![\w-])\d(?:[ -]?\d){2,7}(?![\w-])"#
                + #"|\b(?<!zip |post|area |promo |discount |dress|country )code\s*(?:[:=]|\bis\b|\best\b|\bist\b|\bes\b|\blautet\b)\s*\d(?:[ -]?\d){3,7}\b"#,
            .passwordHint, CompiledLexicon.strong, "lock, alarm or one-time code", caseInsensitive: true, minimumDigits: 3,
            gate: { _, tokens in
                tokens.contains { $0.hasPrefix("alarm") || $0.hasSuffix("code") || $0.hasSuffix("schloss") || $0.hasPrefix("schlussel") || codeWords.contains($0) }
            }),
        Pattern(
            #"\b(?:api[- ]?key|api[- ]?schl(?:ü|u)ssel|cl(?:é|e) api|clave (?:de )?api|token|access key|secret key|secret)\b[^\n]{0,40}?[:=]\s*(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{20,}"#
                + #"|\bglpat-[A-Za-z0-9_-]{20,}"#,
            .passwordHint, CompiledLexicon.strong, "API key or token", caseInsensitive: true, minimumDigits: 1,
            gate: { _, tokens in !tokens.isDisjoint(with: keyWords) }),
        // A date of birth: "born 03/04/2017", "geboren am 5.6.2018", "née le 12/01/1990", "nacido el 05/06/2018".
        Pattern(
            #"\b(?:born|geboren|n(?:é|e)e?|nacid[oa])\b\W{0,3}(?:on |am |le |el )?\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"#,
            .identity, CompiledLexicon.strong, "date of birth", minimumDigits: 4),
        // The last digits of a card: "card ending in 4821", "Karte endet auf 4821", "tarjeta terminada en 4821".
        Pattern(
            #"\b(?:card|karte|carte|tarjeta)\b[^\n.]{0,20}?(?:ending in|ending|endet auf|endend auf|se terminant par|finissant par|terminada en|que termina en)\s*\d{4}\b"#,
            .finances, CompiledLexicon.strong, "card's last digits", minimumDigits: 4),
        // French "on ne fait plus l'amour".
        Pattern(#"\bfai\w*\s+(?:plus\s+|pas\s+|jamais\s+)?l['’]amour\b"#, .intimate, CompiledLexicon.strong, "making love", minimumDigits: 0,
                gate: { _, tokens in tokens.contains("amour") }),
        // "if my boss finds out", "if anyone found out".
        Pattern(#"\bif\s+(?:\w+\s+){0,3}(?:finds?|found)\s+out\b"#, .secrecy, CompiledLexicon.medium, "if someone finds out", minimumDigits: 0,
                gate: { _, tokens in tokens.contains("out") }),
        Pattern(#"\b(?:son|daughter|sohn|tochter|fils|fille|hijo|hija)\b[^.!?\n]{0,30}?\b\d{1,2}\s?(?:years?|y/o|jahre|ans|a[ñn]os)\b"#, .children, CompiledLexicon.medium, "child's age"),
        // Meaning without a telling word. A cover-up: someone took the blame or covered for the
        // writer, in a text about an accident, the police, a fault or insurance.
        Pattern(
            #"\b(?:covered for (?:me|him|her|us|them)|took the (?:blame|fall)|(?:i|he|she) was the one driving|(?:hat|haben) (?:mich|ihn|sie|uns) gedeckt|(?:habe|hab) (?:ihn|sie) gedeckt|die schuld auf sich genommen|in wahrheit bin ich gefahren|(?:m|l)['’]a(?:i)? couvert(?:e)?\b(?!\s+de)|a pris la faute|c['’](?:é|e)tait moi qui conduisais|me (?:cubri(?:ó|o)|encubri(?:ó|o))|se ech(?:ó|o) la culpa|era yo (?:quien|el que|la que) conduc(?:í|i)a)"#,
            .legal, CompiledLexicon.strong, "a cover-up", minimumDigits: 0,
            gate: { _, tokens in tokens.contains { accidentWords.contains($0) || $0.hasPrefix("unfall") } }),
        // Who was at fault in an accident (liability, insurance, possibly a case): same sentence.
        Pattern(
            #"\b(?:accident|crash|collision|unfall\w*|accidente|choque)\b[^.!?\n]{0,60}?\b(?:fault|schuld|faute|culpa)\b"#
                + #"|\b(?:fault|schuld|faute|culpa)\b[^.!?\n]{0,60}?\b(?:accident|crash|collision|unfall\w*|accidente|choque)\b"#,
            .legal, CompiledLexicon.medium, "fault in an accident", minimumDigits: 0,
            gate: { _, tokens in tokens.contains { $0 == "fault" || $0 == "schuld" || $0 == "faute" || $0 == "culpa" } }),
        // An appointment or a call about results: medical results, in most diaries.
        Pattern(
            #"\b(?:appointment|appt|termin|rendez-vous|rdv|cita|consulta|call(?:ed)?|anruf|rappel(?:é|e)?|llamada|llamaron)\b[^.,;!?\n]{0,40}?\b(?:results?|ergebnisse?n?|befund\w*|r(?:é|e)sultats?|resultados?)\b"#
                + #"|\b(?:results?|ergebnisse?n?|befund\w*|r(?:é|e)sultats?|resultados?)\b[^.,;!?\n]{0,30}?\b(?:appointment|termin|rendez-vous|rdv|cita|consulta)\b"#,
            .health, CompiledLexicon.medium, "appointment about results", minimumDigits: 0,
            gate: { _, tokens in tokens.contains { $0.hasPrefix("result") || $0.hasPrefix("ergebnis") || $0.hasPrefix("befund") } }),
        // Where cash or valuables are hidden at home (a burglar's map).
        Pattern(
            #"\b(?:cash|money|savings|gold|jewell?ery|valuables|bargeld|geld|ersparnisse|erspart\w*|schmuck|goldm(?:ü|u)nzen|wertsachen|liquide|esp(?:è|e)ces|argent|(?:é|e)conomies|bijoux|lingots?|efectivo|dinero|met(?:á|a)lico|ahorros|joyas|oro)\b"#
                + #"[^.!?\n]{0,50}?(?:\b(?:hidden|hid|hide|hiding|stash(?:ed)?)\b|\bunder the (?:mattress|floor\w*|bed)\b|\bin the (?:loft|attic|basement|cellar)\b|\bversteck\w*|\bim keller\b|\bauf dem dachboden\b|\bunter (?:der matratze|den dielen)\b|\bcach(?:é|e)e?s?\b|\bcachette\b|\bplanqu\w*|\bau grenier\b|\b(?:à|a|dans) la cave\b|\bsous (?:le matelas|le plancher)\b|\bescondid[oa]s?\b|\bescondite\b|\ben el (?:desv(?:á|a)n|s(?:ó|o)tano|altillo)\b|\bdebajo del colch(?:ó|o)n\b)"#
                + #"|(?:\b(?:hid|stashed)\b|\bversteckt?\b|\bcach(?:é|e)\b|\bescond(?:í|i)\b)[^.!?\n]{0,30}?\b(?:cash|money|savings|gold|jewell?ery|valuables|bargeld|geld|schmuck|wertsachen|liquide|esp(?:è|e)ces|argent|bijoux|efectivo|dinero|joyas)\b"#,
            .finances, CompiledLexicon.medium, "hidden cash or valuables", minimumDigits: 0,
            gate: { _, tokens in !tokens.isDisjoint(with: valuableWords) }),
        // German splits "not declared" around its object: "nicht beim Finanzamt angegeben", with money about.
        Pattern(
            #"\b(?:nicht|nie|niemals|nirgends|nirgendwo)\b[^.!?\n]{0,30}?\b(?:angegeben|versteuert|deklariert)\b"#,
            .legal, CompiledLexicon.strong, "not declared", minimumDigits: 0,
            gate: { _, tokens in !tokens.isDisjoint(with: declarableWords) }),
        // The writer says it grants access to whoever holds it: "anyone with these can change the booking".
        Pattern(
            #"\b(?:anyone|anybody|whoever)\s+(?:with|who has|who knows|holding|has)\s+(?:this|these|that|those|it|them|the (?:code|number|link|reference|details))\b"#
                + #"|\b(?:wer|jede[rm]?,?\s+(?:der|die))\s+(?:das|die|den|diese[nrs]?|es|sie|den code|die nummer|den link)\s+(?:hat|kennt|besitzt)\b|\bdamit kann jede[rm]?\b"#
                + #"|\b(?:n['’]importe qui|quiconque)\s+(?:avec|qui a|qui poss(?:è|e)de|qui conna(?:î|i)t)\s+(?:(?:ç|c)a|cela|ceci|ce code|ces \w+|le code|ce num(?:é|e)ro|ce lien)\b|\bavec (?:(?:ç|c)a|cela),? n['’]importe qui\b"#
                + #"|\b(?:cualquiera|quien)\s+(?:con|que tenga|que sepa)\s+(?:esto|estos|esta|estas|este|eso|esos|ese c(?:ó|o)digo|el c(?:ó|o)digo|ese n(?:ú|u)mero|el enlace)\b|\bcon esto,? cualquiera\b"#,
            .passwordHint, CompiledLexicon.strong, "grants access to whoever holds it", minimumDigits: 0,
            gate: { _, tokens in !tokens.isDisjoint(with: holderWords) }),
        // A booking code with the surname that goes with it is enough to change or cancel the booking.
        Pattern(
            #"\b(?:booking|confirmation|reservation|reference|ref|pnr|buchung\w*|best(?:ä|a)tigung\w*|r(?:é|e)servation|r(?:é|e)f(?:é|e)rence|dossier|localizador|reserva)\b[^\n]{0,25}?\b(?-i:(?=[A-Z0-9]{5,8}\b)(?=[A-Z]*\d)[0-9]*[A-Z][A-Z0-9]*)\b"#,
            .passwordHint, CompiledLexicon.medium, "booking code with surname", minimumDigits: 1,
            gate: { text, tokens in !tokens.isDisjoint(with: surnameWords) || text.range(of: "last name", options: .caseInsensitive) != nil || text.range(of: "nom de famille", options: .caseInsensitive) != nil }),
        // A network key written out: "wifi … clé: x", "WLAN-Schlüssel x", "wifi key x".
        Pattern(
            #"\b(?:wifi|wi-fi|wlan|r(?:é|e)seau|network|red)\b[^\n]{0,40}?\b(?:cl(?:é|e)|key|schl(?:ü|u)ssel|netzwerkschl(?:ü|u)ssel)\b(?:[^\n:=]{0,30}[:=])?\s*(?=\S*\d)(?=\S*[^\d\s])\S{6,}"#,
            .passwordHint, CompiledLexicon.strong, "network key", minimumDigits: 1,
            gate: { _, tokens in tokens.contains { $0 == "wifi" || $0 == "wi" || $0.hasPrefix("wlan") || $0 == "reseau" || $0 == "network" || $0 == "red" } }),
        // Credentials in machine formats (found by the fresh held-out set): a URL carrying a
        // password (redis://user:pass@host), a chat webhook URL, a bot token, a TOTP seed in
        // base32, a list of recovery codes, a seed phrase written out, a network key in digit
        // groups or after "clé wifi", and a German compound ending in Passwort or Kennwort.
        Pattern(
            #"\b[a-z][a-z0-9+.-]{1,15}://[^\s:/@]*:[^\s@/]{4,}@[^\s/]+"#
                + #"|\bhttps://(?:hooks\.slack\.com/services|discord(?:app)?\.com/api/webhooks|outlook\.office\.com/webhook)/\S{10,}"#
                + #"|\b\d{8,10}:[A-Za-z0-9_-]{30,}"#,
            .passwordHint, CompiledLexicon.strong, "credential in a URL or token", minimumDigits: 1,
            gate: { text, _ in text.utf8.contains(0x3A) }),
        Pattern(
            #"\b(?i:totp|otp|2fa|mfa|authenticator|authentifikator|authentificateur|autenticador)\b[^\n]{0,60}?\b[A-Z2-7]{16,}\b"#,
            .passwordHint, CompiledLexicon.strong, "TOTP seed", caseInsensitive: false, minimumDigits: 1,
            gate: { _, tokens in !tokens.isDisjoint(with: ["totp", "otp", "2fa", "mfa", "authenticator", "authentifikator", "authentificateur", "autenticador"]) }),
        Pattern(
            #"\b(?:recovery|backup|wiederherstellung\w*|notfall\w*|secours|r(?:é|e)cup(?:é|e)ration|recuperaci(?:ó|o)n|respaldo)\b[^\n]{0,40}?\b\d{4}[\s-]?\d{4}\b"#,
            .passwordHint, CompiledLexicon.strong, "recovery codes", minimumDigits: 8),
        Pattern(
            #"\b(?:seed|mnemonic|words|w(?:ö|o)rter|mots|palabras|semilla|graine|phrase)\b[^\n]{0,60}?[:—–-]\s*(?:[a-z]{3,8}\s+){11}[a-z]{3,8}\b"#,
            .passwordHint, CompiledLexicon.strong, "seed phrase", caseInsensitive: false, minimumDigits: 0,
            gate: { _, tokens in !tokens.isDisjoint(with: ["seed", "mnemonic", "words", "worter", "mots", "palabras", "semilla", "graine", "phrase", "wallet"]) }),
        Pattern(
            #"\b(?:schl(?:ü|u)ssel|key|cl(?:é|e)|clave)\b\s*[:=]?\s*\d{4}(?:[\s-]\d{4}){3,}"#
                + #"|\b(?:cl(?:é|e)|key|schl(?:ü|u)ssel|clave|code|mot de passe|contrase(?:ñ|n)a)\s+(?:du |de la |de |del )?(?:wifi|wi-fi|wlan)\b[^\n]{0,40}?[:=]\s*(?=\S*\d)(?=\S*[^\d\s])\S{6,}"#,
            .passwordHint, CompiledLexicon.strong, "network key", minimumDigits: 6),
        Pattern(#"\b\p{L}{2,}(?:passwort|kennwort)\b"#, .passwordHint, CompiledLexicon.strong, "password compound", minimumDigits: 0,
                gate: { _, tokens in tokens.contains { $0.count > 9 && ($0.hasSuffix("passwort") || $0.hasSuffix("kennwort")) } }),
        // A dose: "50mg of", "20 mg morgens".
        Pattern(#"\b\d+(?:[.,]\d+)?\s?(?:mg|mcg|µg)\b"#, .health, CompiledLexicon.medium, "a dose", minimumDigits: 1,
                gate: { _, tokens in tokens.contains { $0.hasSuffix("mg") || $0.hasSuffix("mcg") || $0 == "µg" } }),
        // Money owed or lent: an amount beside owe, lend, borrow in the four languages.
        Pattern(
            #"\b(?:owe[sd]?|lent|lend|borrowed|loaned|geliehen|geborgt|leihen|schulde\w*|pr(?:ê|e)t(?:é|e|er)s?|emprunt(?:é|e|er)|dois|prest(?:é|e|ado|ar|ó|o)|debo|debe)\b[^.!?\n]{0,30}?(?:[€$£]\s?\#(bigAmount)|\#(bigAmount)\s?(?:€|\$|£|eur\b|euros?\b|dollars?\b|pounds?\b|bucks\b|quid\b)|\d+(?:[.,]\d+)?k\b)"#
                + #"|(?:[€$£]\s?\#(bigAmount)|\#(bigAmount)\s?(?:€|\$|£|eur\b|euros?\b|dollars?\b|pounds?\b|bucks\b)|\d+(?:[.,]\d+)?k\b)[^.!?\n]{0,30}?\b(?:owe[sd]?|lent|borrowed|geliehen|geborgt|pr(?:ê|e)t(?:é|e|er)s?|emprunt(?:é|e|er)|prest(?:é|e|ado|ar|ó|o))\b"#,
            .finances, CompiledLexicon.medium, "money owed or lent", minimumDigits: 1,
            gate: { _, tokens in tokens.contains { lendingWords.contains($0) || $0.hasPrefix("prest") || $0.hasPrefix("pret") || $0.hasPrefix("emprunt") || $0.hasPrefix("schuld") } }),
        // (A small sum lent for the cinema is not a finance matter: 100 or more, or thousands written "2k".)
        // What someone earns: "I earn 64k", "verdiene 4.200 brutto", "je gagne 3 100 nets", "cobro 2.300 al mes".
        Pattern(
            #"\b(?:earn(?:s|ing)?|make|makes|salary of|verdien\w*|gagne\w*|touch(?:e|ons|ait)|cobr(?:o|a|amos)|gan(?:o|a|amos))\b[^.!?\n]{0,20}?(?:[€$£]\s?\d|\b\d[\d.,  ]*\s?(?:k\b|€|\$|£|eur\b|euros?\b|dollars?\b|pounds?\b|(?:a|per) (?:month|year)\b|al (?:mes|a(?:ñ|n)o)\b|par (?:mois|an)\b|im (?:monat|jahr)\b|netto\b|brutto\b|nets?\b|bruts?\b|netos?\b|brutos?\b))"#,
            .finances, CompiledLexicon.medium, "what someone earns", minimumDigits: 1,
            gate: { _, tokens in tokens.contains { earningWords.contains($0) || $0.hasPrefix("earn") || $0.hasPrefix("verdien") || $0.hasPrefix("gagn") || $0.hasPrefix("touch") || $0.hasPrefix("cobr") || $0.hasPrefix("gan") } }),
        // What is left in an account: an amount and the account in one sentence.
        Pattern(
            #"(?:[€$£]\s?\d|\d[\d.,]*\s?(?:€|\$|£|eur\b|euros?\b|dollars?\b|pounds?\b))[^.!?\n]{0,40}?\b(?:account|konto|compte|cuenta)\b"#
                + #"|\b(?:account|konto|compte|cuenta)\b[^.!?\n]{0,40}?(?:[€$£]\s?\d|\d[\d.,]*\s?(?:€|\$|£|eur\b|euros?\b|dollars?\b|pounds?\b))"#,
            .finances, CompiledLexicon.medium, "money in an account", minimumDigits: 1,
            gate: { _, tokens in tokens.contains("account") || tokens.contains("konto") || tokens.contains("compte") || tokens.contains("cuenta") }),
        // When a child is picked up from school, with the time: "pick-up for Leo is at 3:15 at the side gate of the school".
        Pattern(
            #"\b(?:pick-?up|pick(?:ing|ed)? (?:him |her |them )?up|abhol\w*|r(?:é|e)cup(?:é|e)r\w*|recog(?:er|ida|emos|e)|sortie)\b[^.!?\n]{0,60}?\b(?:school|primary|nursery|daycare|kindergarten|kita|schule|grundschule|hort|(?:é|e)cole|cr(?:è|e)che|coll(?:è|e)ge|colegio|guarder(?:í|i)a|escuela)\b"#,
            .children, CompiledLexicon.medium, "school pick-up time", minimumDigits: 1,
            gate: { text, _ in clockTime.firstMatch(in: text, options: [], range: NSRange(text.startIndex..<text.endIndex, in: text)) != nil }),
        // A child's school by name: "Oakwood Primary", "Linden-Grundschule".
        Pattern(#"\b\p{Lu}\p{Ll}+[\s-](?:Primary|Elementary|Grundschule|Kita)\b"#, .children, CompiledLexicon.medium, "a named school",
                caseInsensitive: false, minimumDigits: 0,
                gate: { _, tokens in tokens.contains("primary") || tokens.contains("elementary") || tokens.contains("grundschule") || tokens.contains("kita") }),
        // Trouble in bed: "im Bett läuft es nicht mehr", "au lit ça ne va plus", "en la cama ya no".
        Pattern(
            #"\b(?:in bed|im bett|au lit|en la cama)\b[^.!?\n]{0,40}?(?:\bnicht mehr\b|\bkaum noch\b|\banymore\b|\bno longer\b|\bne\s+(?:\w+\s+){0,2}plus\b|\bplus rien\b|\bya no\b)"#
                + #"|(?:\bno longer\b|\bnicht mehr\b|\bplus rien\b|\bya no\b)[^.!?\n]{0,30}?\b(?:in bed|im bett|au lit|en la cama)\b"#,
            .intimate, CompiledLexicon.medium, "trouble in bed", minimumDigits: 0,
            gate: { _, tokens in
                (tokens.contains("bed") || tokens.contains("bett") || tokens.contains("lit") || tokens.contains("cama"))
                    && !tokens.isDisjoint(with: goingWords)
            }),
    ]

    /// The password words (tokens, accents removed) the login pattern needs when there is no `@` or `/`.
    static let passwordWords: Set<String> = ["pw", "pwd", "passwd", "mdp", "clave", "kennwort", "passwort", "contrasena", "password", "pin"]

    /// The words (tokens, accents removed) one of which the lock, alarm or one-time code pattern
    /// needs, besides words starting "alarm" or ending "code" or "schloss".
    static let codeWords: Set<String> = [
        "combo", "combination", "combinaison", "combinacion", "padlock", "lock", "antivol", "antirrobo", "cadenas", "candado", "locker", "casier", "taquilla",
        "spind", "keysafe", "safe", "schlusselsafe", "tresor", "coffre", "caja", "boite", "box", "keybox", "lockbox", "opener", "garage", "verification", "verificacion", "cvv", "cvc", "codigo",
        "door", "tur", "ture", "haustur", "hausture", "porte", "portail", "puerta", "porton",
    ]
    /// Words about an accident, the police, a fault or insurance, one of which the cover-up pattern needs.
    static let accidentWords: Set<String> = [
        "accident", "crash", "collision", "accidente", "choque", "police", "polizei", "policia", "fault", "schuld", "faute", "culpa",
        "insurance", "versicherung", "assurance", "seguro",
    ]
    /// Cash and valuables, one of which the hidden-valuables pattern needs.
    static let valuableWords: Set<String> = [
        "cash", "money", "savings", "gold", "jewellery", "jewelry", "valuables", "bargeld", "geld", "ersparnisse", "erspartes", "ersparte", "ersparten", "schmuck",
        "goldmunzen", "wertsachen", "liquide", "especes", "argent", "economies", "bijoux", "lingot", "lingots", "efectivo", "dinero",
        "metalico", "ahorros", "joyas", "oro",
    ]
    /// Money, tax and inheritance words, one of which the German "nicht ... angegeben" pattern needs.
    static let declarableWords: Set<String> = [
        "erbe", "erbschaft", "finanzamt", "bargeld", "geld", "einnahmen", "einkommen", "steuer", "steuern", "steuererklarung", "schwarzgeld",
        "gewinn", "gewinne", "trinkgeld", "trinkgelder", "nebeneinkunfte", "mieteinnahmen",
    ]
    /// A clock time ("3:15", "14h30", "8 am"), which the school pick-up pattern needs.
    static let clockTime = try! NSRegularExpression(pattern: #"\b(?:[01]?\d|2[0-3])[:h.][0-5]\d\b|\b\d{1,2}\s?(?:am|pm|uhr|h)\b"#, options: [.caseInsensitive])
    /// Amounts of 100 or more: "400", "1.200", "3 000".
    private static let bigAmount = #"(?:\d{1,3}(?:[.,  ]\d{3})+|\d{3,})"#
    /// Words of lending and owing, one of which the money-owed pattern needs (besides stems of
    /// prêter, emprunter, prestar and Schuld).
    static let lendingWords: Set<String> = ["owe", "owes", "owed", "lent", "lend", "borrowed", "loaned", "geliehen", "geborgt", "leihen", "dois", "debo", "debe"]
    /// Words of earning (besides stems of earn, verdienen, gagner, toucher, cobrar, ganar).
    static let earningWords: Set<String> = ["make", "makes", "salary"]
    /// Verbs of things going or working, one of which the trouble-in-bed pattern needs.
    static let goingWords: Set<String> = ["lauft", "klappt", "passiert", "working", "happening", "works", "marche", "passe", "funciona", "pasa", "sex", "sexe", "sexo"]
    /// The holder words one of which the grants-access pattern needs.
    static let holderWords: Set<String> = ["anyone", "anybody", "whoever", "wer", "jeder", "jedem", "jede", "importe", "quiconque", "cualquiera", "quien"]
    /// Surname words, one of which the booking-code pattern needs (besides "last name", "nom de famille").
    static let surnameWords: Set<String> = ["surname", "nachname", "familienname", "apellido", "apellidos"]

    /// The words one of which the API key pattern needs.
    static let keyWords: Set<String> = ["api", "key", "token", "secret", "glpat"]

    /// Every pattern that matches `text`, whose word tokens are `tokens`.
    static func matches(_ text: String, tokens: Set<String>) -> [Pattern] {
        // Most patterns hold a digit, the others a word: most texts need few regular expressions.
        let digits = text.utf8.reduce(0) { $0 + ($1 >= 0x30 && $1 <= 0x39 ? 1 : 0) }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return all.filter {
            digits >= $0.minimumDigits && ($0.gate?(text, tokens) ?? true)
                && $0.expression.firstMatch(in: text, options: [], range: range) != nil
        }
    }
}
