import Foundation
import MemvaultSupport
import Testing
@testable import Classifier
import TestSupport

@Suite("Tier classifier")
struct TierClassifierTests {
    let classifier = TierClassifier()
    /// The rules alone (no learned score): what tests of one rule signal check.
    let rules = TierClassifier(scorer: nil)

    // MARK: (a) the secret scanner

    @Test("a credential makes a memory secret, and its text is never in the reasons", arguments: [
        "My PIN for the Sparkasse card is 4711",
        "wifi at the cabin: password: Fj0rd!2024",
        "New card 4111 1111 1111 1111, expires 12/29",
        "Überweisung an DE89 3704 0044 0532 0130 00 geht morgen raus",
    ])
    func secretScanner(text: String) {
        let result = classifier.classify(text)
        #expect(result.tier == .secret, "\(result)")
        #expect(result.reasons.contains { $0.hasPrefix("credential:") })
        for secret in ["4711", "Fj0rd", "4111", "DE89"] {
            #expect(!result.reasons.joined().contains(secret))
        }
        #expect(result.tags.contains("credentials"))
    }

    // MARK: (b) sensitive categories, four languages

    @Test("each sensitive category makes a memory at least confidential", arguments: [
        ("Blood test: LDL 162, doctor wants a recheck in March", SensitiveCategory.health),
        ("Termin beim Frauenarzt wegen der Zyste, Ergebnis nächste Woche", .health),
        ("Le psychiatre a augmenté la dose de sertraline", .health),
        ("La nómina de este mes llegó con el aumento de sueldo", .finances),
        ("Die Schufa-Auskunft kam, der Kredit für die Wohnung ist durch", .finances),
        ("Renewed my passport, the new one is valid until 2034", .identity),
        ("J'ai enfin reçu ma carte d'identité et le titre de séjour de Malik", .identity),
        ("Mi abogado dice que el juicio del divorcio es en mayo", .legal),
        ("Anwalt angerufen wegen der Abmahnung vom Vermieter", .legal),
        ("We slept together for the first time after the party", .intimate),
        ("Il m'a avoué qu'il avait une liaison depuis un an, relations sexuelles comprises", .intimate),
        ("Meine neue Adresse: Lindenstraße 14, 10115 Berlin", .address),
        ("Our new address is 42 Elm Street, flat 3", .address),
        ("Le pédiatre trouve que Léa, 4 ans, grandit bien", .children),
        ("Password hint for the old laptop: name of the first cat", .passwordHint),
        ("La pista de la contraseña del banco es el nombre de mi abuela", .passwordHint),
        // Chronic illness and recovery without a doctor named, and intimacy in other words.
        ("Dialyse mardi et jeudi, toujours sur la liste d'attente", .health),
        ("New hearing aids from audiology, the left one still whistles", .health),
        ("Mit dem Rheuma heute kaum aus dem Bett gekommen", .health),
        ("Papa: Madopar um 8, 12 und 16 Uhr, pünktlich", .health),
        ("300 days sober today, called my sponsor instead of the pub", .health),
        ("Anoche hicimos el amor por primera vez en meses", .intimate),
        ("Seit der Schlafapnoe schlafe ich mit CPAP-Maske", .health),
        ("La propriétaire a lancé la procédure d'expulsion, audience en mai", .legal),
        ("Got the eviction notice today, two months to find a flat", .legal),
        // Named only by a drug, a device, a test value or a treatment.
        ("Mum's warfarin dose goes down to 3 mg from Monday", .health),
        ("Neuer Glukosesensor am Oberarm, hält vierzehn Tage", .health),
        ("Ferritin at 9 again, the iron tablets do nothing", .health),
        ("Deuxième tentative de FIV en janvier, on croise les doigts", .health),
        ("Primera sesión de terapia cognitivo-conductual el jueves", .health),
        ("Carta de la agencia de recobro por la factura del móvil", .finances),
        ("La clé de secours est dans le pot de fleurs à gauche de la porte", .address),
        ("Took forty quid out of the till last week and nobody noticed", .legal),
        ("Opa ist seit gestern in der Geriatrie, Zimmer 4", .health),
        ("Nuevo andador para la tía, el viejo ya no frena", .health),
        ("Le restaurant du coin est en liquidation judiciaire depuis lundi", .finances),
        ("Painted the Hoffmanns' fence, paid cash in hand, not going through the books", .finances),
    ])
    func sensitiveCategory(text: String, category: SensitiveCategory) {
        let evidence = classifier.evidence(text)
        #expect((evidence.categories[category] ?? 0) >= 0.4, "\(evidence.categories)")
        let result = classifier.classify(text)
        #expect(result.tier >= .confidential, "\(result)")
        #expect(result.tags.contains(category.tag))
    }

    @Test("credentials the scanner leaves alone, gaps of German compounds and dates of birth: at least confidential", arguments: [
        ("Spotify: lena.k@web.de / Sommer!99", SensitiveCategory.passwordHint),
        ("NAS login admin / x7Tq-pLm2", .passwordHint),
        ("Büro-WLAN pw Kx81mmQ2wz", .passwordHint),
        ("mdp du compte Free : Lapin2021", .passwordHint),
        ("Bike lock combination is 3319", .passwordHint),
        ("Código del candado de la bici: 7702", .passwordHint),
        ("cable lock on the blue bike 4127", .passwordHint),
        ("Antivol du scooter : 8391", .passwordHint),
        ("Dein Bestätigungscode lautet 918-220", .passwordHint),
        ("api key for the weather widget: 9f8e7d6c5b4a39281706f5e4d3c2b1a0", .passwordHint),
        ("Answer to the security question about my first school: Hillcrest", .passwordHint),
        ("Neue Personalausweisnummer ab heute gültig", .identity),
        ("Noor (born 12/09/2019) starts at the new school on Monday", .identity),
        ("Sorgerechtsstreit geht in die nächste Runde", .legal),
        ("The card ending in 7731 was charged twice, disputing it", .finances),
        ("Visa interview and the immigration paperwork went fine", .legal),
        ("Tür zum Lager im Keller: 40716", .passwordHint),
        ("Puerta del garaje comunitario, la de atrás: 5531", .passwordHint),
        ("Safe in the wardrobe, behind the winter coats on the top shelf: 12-40-07", .passwordHint),
        ("Intranet du lycée : m.durand / Vt8#kQ2pLw", .passwordHint),
        ("Shop till: supervisor / Kiwi42Apfel", .passwordHint),
    ])
    func credentialShapesAndLanguageGaps(text: String, category: SensitiveCategory) {
        let evidence = classifier.evidence(text)
        #expect((evidence.categories[category] ?? 0) >= 0.4, "\(evidence.categories)")
        #expect(classifier.classify(text).tier >= .confidential)
    }

    @Test("near misses of those shapes: the rules leave them plain (the learned score may still raise one)", arguments: [
        "Area code: 0301 was on the old business cards",
        "Dress code: 1920s, bring a hat",
        "Promo code: 2024 gave us ten percent off",
        "Born in 1990, same year as my cousin",
        "The train ending in Zurich was 12 minutes late",
        "Ordered a new keyboard, tracking number 1Z999AA10123456784",
        "Serial number is on the sticker inside the door: WM8-2231-77B",
        "Docs are here: github.com/memvault/releases2024",
        "Door to door: 15 minutes by bike",
        "Gate change: boarding now at gate 112",
    ])
    func nearMissesStayPlain(text: String) {
        #expect(rules.classify(text).tier <= .general, "\(rules.classify(text))")
    }

    @Test("meaning without a telling word: night after a date, love in doubt, trouble in bed, at least confidential", arguments: [
        ("First date with Tom went great, I went home with him afterwards", SensitiveCategory.intimate),
        ("Nach dem Konzert hab ich bei ihr übernachtet, mal sehen was draus wird", .intimate),
        ("Soirée au bar, finalement j'ai dormi chez lui", .intimate),
        ("Después de la cena acabamos en su casa, qué nervios", .intimate),
        ("Six years married and I honestly can't tell whether I still love her", .intimate),
        ("Ich habe immer noch Gefühle für Lukas, obwohl er verheiratet ist", .intimate),
        ("Je ne sais plus si je l'aime encore, on se parle à peine", .intimate),
        ("Creo que todavía siento algo por Marta", .intimate),
        ("Seit der Geburt läuft im Bett kaum noch was", .intimate),
        ("Au lit ça ne marche plus entre nous depuis l'été", .intimate),
    ])
    func intimateWithoutTellingWord(text: String, category: SensitiveCategory) {
        let evidence = classifier.evidence(text)
        #expect((evidence.categories[category] ?? 0) >= 0.4, "\(evidence.categories)")
        #expect(classifier.classify(text).tier >= .confidential, "\(classifier.classify(text))")
    }

    @Test("a cover-up, fault in an accident, money kept from the tax office or hidden at home: at least confidential", arguments: [
        ("After the crash my brother took the blame so I would keep my licence", SensitiveCategory.legal),
        ("Der Unfall damals: meine Schwester hat mich gedeckt, die Polizei weiß nichts", .legal),
        ("Pour l'accident du parking, c'était moi qui conduisais, pas Paul", .legal),
        ("El choque fue culpa mía aunque el seguro piensa otra cosa", .legal),
        ("Die Trinkgelder hab ich nie beim Finanzamt angegeben", .legal),
        ("Le chantier de la cuisine a été payé au black", .legal),
        ("Le pagué al fontanero sin declarar nada", .legal),
        ("Grandma keeps her savings hidden in a tin under the floorboards", .finances),
        ("Das Ersparte liegt versteckt im Keller in der Werkzeugkiste", .finances),
        ("Les bijoux de maman sont cachés dans la cave, derrière les bocaux", .finances),
        ("Tenemos dinero escondido en el altillo del armario", .finances),
    ])
    func concealment(text: String, category: SensitiveCategory) {
        let evidence = classifier.evidence(text)
        #expect((evidence.categories[category] ?? 0) >= 0.4, "\(evidence.categories)")
        #expect(classifier.classify(text).tier >= .confidential, "\(classifier.classify(text))")
    }

    @Test("results awaited at an appointment, and whatever grants access to its holder: at least confidential", arguments: [
        ("Appointment on Friday to go over the results, can't sleep", SensitiveCategory.health),
        ("Morgen der Termin wegen der Befunde", .health),
        ("Rendez-vous lundi pour les résultats, j'angoisse", .health),
        ("Me llamaron para una cita por los resultados", .health),
        ("Ferry reservation 8KD2QX under the surname Varga", .passwordHint),
        ("Gift card for Mum's birthday: whoever has this number can spend it, keep it safe", .passwordHint),
        ("Der Link zum Ordner: wer den Link hat, kann alles lesen", .passwordHint),
        ("Code du casier : n'importe qui avec ce code peut l'ouvrir", .passwordHint),
        ("Con esto cualquiera puede entrar en mi correo", .passwordHint),
    ])
    func resultsAndAccess(text: String, category: SensitiveCategory) {
        let evidence = classifier.evidence(text)
        #expect((evidence.categories[category] ?? 0) >= 0.4, "\(evidence.categories)")
        #expect(classifier.classify(text).tier >= .confidential, "\(classifier.classify(text))")
    }

    @Test("words the lists lacked and shapes of numbers: medicines and doses, money owed or left, lost jobs, codes spaced out, at least confidential", arguments: [
        ("Doc switched me to escitalopram, 10 mg", SensitiveCategory.health),
        ("Seit Montag nehme ich Metformin zum Frühstück", .health),
        ("Mon fils est dyslexique, on l'a su en CE1", .health),
        ("A mi madre le han diagnosticado párkinson", .health),
        ("Still owe Priya £400 from the festival", .finances),
        ("Ich habe meinem Bruder 1.200 Euro geliehen", .finances),
        ("Plus que 40 € sur le compte avant la paye", .finances),
        ("Me han despedido y aún no lo sabe nadie en casa", .finances),
        ("Key box by the back door: 6 0 3 2", .passwordHint),
        ("Der Tresor im Arbeitszimmer geht mit 1 9 8 4 auf", .passwordHint),
        ("WLAN-Schlüssel fürs Gästezimmer: Kaffee_7781", .passwordHint),
        ("Recovery words for the old wallet are in the blue notebook", .passwordHint),
        ("School pick-up for Noah moved to 14:30 at the east entrance of Linden Primary", .children),
        ("Haven't told anyone at work about the interview in Hamburg", .secrecy),
        ("Mum's dementia diagnosis is official now", .health),
        ("Ich verdiene jetzt 3.900 netto, mehr als Jan", .finances),
        ("Cobramos 1.950 al mes entre los dos", .finances),
        ("Gestern mit Nico rumgeknutscht, obwohl er vergeben ist", .intimate),
        ("La vecina nos ha demandado por las humedades", .legal),
        ("Geheimfrage fürs Bankkonto: Lieblingslehrer", .passwordHint),
        ("Termin beim Onkologen am 3.", .health),
        ("Opa bekommt nächste Woche einen Herzschrittmacher", .health),
        ("Mi sobrina es celíaca, ojo con la tarta", .health),
    ])
    func vocabularyAndNumberShapes(text: String, category: SensitiveCategory) {
        let evidence = classifier.evidence(text)
        #expect((evidence.categories[category] ?? 0) >= 0.4, "\(evidence.categories)")
        #expect(classifier.classify(text).tier >= .confidential, "\(classifier.classify(text))")
    }

    @Test("credentials in machine formats and German password compounds: at least confidential", arguments: [
        "staging db: DATABASE_URL=postgres://app:Qm7vLx2rT9@db.internal.example:5432/app",
        "team alerts go to https://hooks.slack.com/services/T0000AAAA/B0000BBBB/abcdEFGHijklMNOPqrstUVWX",
        "bot token from BotFather: 1234567890:AAE-abcdefghijklmnopqrstuvwxyz0123456",
        "Authenticator secret for the NAS, if the phone is lost: KRSXG5CTMVRXEZLU",
        "Backup codes for GitHub: 1234-5678 2345-6789 3456-7890",
        "Wallet seed, keep offline: apple river stone cloud seven lamp ocean tiger paper music forest candle",
        "Router Schlüssel 1111 2222 3333 4444 5555",
        "clave del wifi del piso: Gato_Azul_2023",
        "Tresor-Kennwort: Blaubeere-77",
        "PIN for the signing certificate (the .pfx file): Linde#2024",
    ])
    func machineCredentials(text: String) {
        let evidence = classifier.evidence(text)
        #expect((evidence.categories[.passwordHint] ?? 0) >= 0.4 || !evidence.credentials.isEmpty, "\(evidence)")
        #expect(classifier.classify(text).tier >= .confidential, "\(classifier.classify(text))")
    }

    @Test("the harmless neighbours of those rules: the rules leave them plain", arguments: [
        "Stayed in bed until ten, lovely lazy Sunday",
        "Ana covered for me at the café on Saturday so I could go to the wedding",
        "The match results were announced after the final",
        "Booked a table for four at the Italian place, reservation at 8",
        "I still love this song after all these years",
        "Paid cash at the farmers' market. The cellar still needs sorting out.",
        "Der Preis war auf der Website nicht angegeben",
        "Pasé la noche en el aeropuerto por el retraso del vuelo",
        "Heute lange im Bett geblieben, draußen regnet es nicht mehr",
        "Spent the night at her parents' farm with the whole family",
        "The code is on the back of the router: WPA2, look for the sticker",
        "Collected the parcel from the post office before the school run",
        "Lent Sam my copy of Dune, hope I get it back",
        "Got really fired up at the climbing wall tonight",
        "Récupéré les enfants à l'école, goûter au parc",
        "Made 24 cupcakes for the school fair, sold out by 11",
        "Docs are at https://example.com/guide:intro, section 3",
        "Twelve words on the poster: keep calm and carry on with the lovely summer fete again",
    ])
    func concealmentNearMissesStayPlain(text: String) {
        #expect(rules.classify(text).tier <= .general, "\(rules.classify(text))")
    }

    // MARK: (c) the person's habits

    @Test("close and consistent neighbours move a neutral text up; distant ones are ignored")
    func neighbours() {
        // The habit signal on its own: the rules alone, no learned score.
        let text = "Notes about the blue folder in the second drawer"
        #expect(rules.classify(text).tier == .general)
        let close = (0..<5).map { _ in Neighbour(tier: .secret, similarity: 0.85) }
        let moved = rules.classify(text, neighbours: close)
        #expect(moved.tier >= .confidential, "\(moved)")
        #expect(moved.reasons.contains { $0.hasPrefix("neighbours:") })
        let far = (0..<5).map { _ in Neighbour(tier: .secret, similarity: 0.2) }
        #expect(rules.classify(text, neighbours: far).tier == .general)
        // Habits never lower a floor: plain neighbours cannot make a credential plain.
        let plain = (0..<8).map { _ in Neighbour(tier: .chronological, similarity: 0.95) }
        #expect(classifier.classify("PIN 4711 for the garage", neighbours: plain).tier == .secret)
    }

    @Test("every pattern compiles (they are compiled on first use) and the same expression serves every later use")
    func patternsCompile() {
        #expect(Patterns.all.count > 20)
        for pattern in Patterns.all {
            let first = pattern.expression
            #expect(first === pattern.expression, "\(pattern.name)")
        }
    }

    @Test("the word lists are trimmed as Foundation trims them, without bridging to NSString")
    func lexiconTrimming() {
        let sources = [
            Lexicons.health, Lexicons.finances, Lexicons.identity, Lexicons.legal, Lexicons.intimate, Lexicons.address,
            Lexicons.children, Lexicons.passwordHint, Lexicons.secrecy, Lexicons.timeAnchor, Lexicons.eventVerb, Lexicons.fact,
        ]
        var checked = 0
        for source in sources {
            for line in source.split(separator: "\n") {
                #expect(line.trimmingWhitespaceAndNewlines() == line.trimmingCharacters(in: .whitespaces))
                for item in line.split(separator: ",") {
                    #expect(item.trimmingWhitespaceAndNewlines() == item.trimmingCharacters(in: .whitespaces))
                    checked += 1
                }
            }
        }
        #expect(checked > 1000)
        for odd in ["", "  ", "\t a b \t", "\u{00A0}x\u{2003}", "x"] {
            #expect(odd.trimmingWhitespaceAndNewlines() == odd.trimmingCharacters(in: .whitespaces))
        }
        #expect(CompiledLexicon.shared.termCount > 1000)
    }

    @Test("the neighbours are asked only when they could change the tier, and skipping them never changes it")
    func neighboursAskedOnlyWhenTheyCanMatter() {
        let texts = [
            "Blood test: LDL 162, doctor wants a recheck in March",
            "Termin beim Psychiater am Donnerstag, neue Dosis Sertralin",
            "Notre avocat dit que le divorce sera prononcé en juin",
            "La hipoteca nos cuesta 1.240 € al mes desde enero",
            "My PIN for the Sparkasse card is 4711",
            "Walked to the lake with Jonas",
            "Notes about the blue folder in the second drawer",
            "Passport number and expiry are in the usual place",
        ]
        let tiers: [TierLabel] = [.chronological, .general, .confidential, .secret, .ultrasecret]
        for text in texts {
            let alone = classifier.classify(text)
            for highest in tiers {
                var asked = false
                let lazy = classifier.classify(text, highestNeighbourTier: { highest }, neighbours: { () -> [Neighbour]? in
                    asked = true
                    return nil
                })
                #expect(lazy.tier == alone.tier, "\(text)")
                guard !asked else { continue }
                // Skipped: no vote from tiers up to `highest`, however close and consistent, may
                // give another tier.
                for tier in tiers where tier <= highest {
                    for similarity: Float in [0.5, 0.7, 0.99] {
                        for count in [1, 3, 8] {
                            let votes = (0..<count).map { Neighbour(tier: $0 == 0 ? tier : .chronological, similarity: similarity) }
                            #expect(classifier.classify(text, neighbours: votes).tier == alone.tier, "\(text) \(tier) \(similarity) \(count)")
                            let same = (0..<count).map { _ in Neighbour(tier: tier, similarity: similarity) }
                            #expect(classifier.classify(text, neighbours: same).tier == alone.tier, "\(text) \(tier) \(similarity) \(count)")
                        }
                    }
                }
            }
        }
        // A health memory goes to confidential on its text alone: with only plain indexes (or a
        // confidential one) readable it is not embedded; with a readable secret index it is.
        let health = "Blood test: LDL 162, doctor wants a recheck in March"
        #expect(classifier.classify(health).tier == .confidential)
        for (highest, expected) in [(TierLabel.general, false), (.confidential, false), (.secret, true), (.ultrasecret, true)] {
            var asked = false
            _ = classifier.classify(health, highestNeighbourTier: { highest }, neighbours: { () -> [Neighbour]? in
                asked = true
                return nil
            })
            #expect(asked == expected, "\(highest)")
        }
        // A neutral text is always asked (plain neighbours can move it between the plain tiers, or up).
        var asked = false
        _ = classifier.classify("Walked to the lake with Jonas", highestNeighbourTier: { .general }, neighbours: { () -> [Neighbour]? in
            asked = true
            return nil
        })
        #expect(asked)
    }

    @Test("an ultrasecret neighbourhood votes secret: ultrasecret is never chosen automatically")
    func neverUltrasecret() {
        let ultra = (0..<8).map { _ in Neighbour(tier: .ultrasecret, similarity: 0.99) }
        let result = classifier.classify("the thing we talked about", neighbours: ultra)
        #expect(result.tier != .ultrasecret)
        #expect(result.tier >= .confidential)
    }

    // MARK: (d) event against fact

    @Test("events with a time anchor are chronological", arguments: [
        "Yesterday we went to the cinema with Maria",
        "Gestern waren wir mit Oma im Tierpark",
        "Hier soir on a vu un super concert au Zénith",
        "Ayer fuimos a la playa con los primos",
        "2026-11-22: walked to the lake with Jonas",
    ])
    func chronological(text: String) {
        let result = classifier.classify(text)
        #expect(result.tier == .chronological, "\(result)")
    }

    @Test("timeless facts and preferences are general", arguments: [
        "I prefer oat milk in my coffee",
        "Ich mag keinen Kaffee nach dem Mittagessen",
        "Je préfère le thé vert sans sucre",
        "Me encanta el olor a pan recién hecho",
        "Maria's favourite band is Radiohead",
    ])
    func general(text: String) {
        let result = classifier.classify(text)
        #expect(result.tier == .general, "\(result)")
    }

    @Test("the same text always gets the same answer")
    func deterministic() {
        let text = "Rendez-vous chez le médecin jeudi à 9h"
        #expect(classifier.classify(text) == classifier.classify(text))
    }

    // MARK: The threshold law

    @Test("no confidence below a tier's threshold ever yields that tier or a lower one")
    func thresholdLaw() {
        var generator = SeededGenerator(rawSeed: 17)
        for _ in 0..<20_000 {
            var scores: [TierLabel: Double] = [:]
            for tier in TierLabel.allCases where generator.next() % 3 != 0 {
                // Mix uniform values with values near the thresholds, where mistakes would hide.
                scores[tier] = generator.next() % 2 == 0 ? generator.unit() : tier.threshold + (generator.unit() - 0.5) * 0.02
            }
            let floor = TierLabel.automatic[Int(generator.next() % 4)]
            let decision = TierClassifier.decide(scores, floor: floor)
            #expect(decision.tier != .ultrasecret)
            #expect(decision.tier >= floor)
            for tier in TierLabel.automatic where tier < .secret {
                if decision.atMost[tier]! < tier.threshold {
                    #expect(decision.tier > tier, "\(scores) floor \(floor) -> \(decision)")
                }
            }
            if decision.tier < .secret {
                #expect(decision.atMost[decision.tier]! >= decision.tier.threshold)
            }
            let likeliest = TierLabel.automatic.max { (decision.scores[$0]!, $0) < (decision.scores[$1]!, $1) }!
            #expect(decision.tier >= likeliest || !decision.escalated)
        }
    }

    @Test("doubt between plain and encrypted goes up, exactly at the thresholds")
    func thresholdsAtTheEdge() {
        #expect(TierClassifier.decide([.chronological: 0.7, .general: 0.3]).tier == .chronological)
        #expect(TierClassifier.decide([.chronological: 0.69, .general: 0.31]).tier == .general)
        #expect(TierClassifier.decide([.general: 0.6, .confidential: 0.4]).tier == .general)
        #expect(TierClassifier.decide([.general: 0.59, .confidential: 0.41]).tier == .confidential)
        #expect(TierClassifier.decide([.general: 0.8, .confidential: 0.2]).tier == .general)
        #expect(TierClassifier.decide([.general: 0.7, .secret: 0.3]).tier == .secret)
        #expect(TierClassifier.decide([.confidential: 0.8, .secret: 0.2]).tier == .confidential)
        #expect(TierClassifier.decide([.confidential: 0.79, .secret: 0.21]).tier == .secret)
        #expect(TierClassifier.decide([.ultrasecret: 1]).tier == .secret)
        #expect(TierClassifier.decide([.general: 1], floor: .confidential).tier == .confidential)
    }
}
