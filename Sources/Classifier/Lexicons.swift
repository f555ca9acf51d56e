/// The curated word lists of the classifier, in English, German, French and Spanish.
///
/// Each list has three strengths: `strong` (the word alone makes a memory sensitive: "diagnosis",
/// "Scheidung", "ordonnance"), `medium` (enough to doubt: "bank", "Polizei") and `weak` (only
/// counts together with others). A term is a word, a stem ending in `*` (`psychiatr*`), or
/// several words (`blood test`); terms are matched after lower-casing and removing accents
/// (`médecin` matches "medecin" and "Médecin"), and `ß` is matched as `ss`.
enum Lexicons {
    static let health = """
        strong: sober, pregnancy test, period is late, late period, hiv positive, vih, doctor, doctors, physician, gp, hospital, hospitalised, hospitalized, clinic, diagnosis, diagnosed, \
        symptom*, prescription, prescribed, medication, meds, antibiotic*, antidepressant*, therapist, therapy session, \
        psychiatr*, psycholog*, depression, depressed, anxiety, panic attack*, adhd, autism, autistic, bipolar, cancer, \
        tumour, tumor, chemo*, biopsy, mri, ct scan, x ray, blood test*, blood work, bloodwork, blood pressure, \
        cholesterol, ldl, hdl, hba1c, diabetes, diabetic, insulin, asthma, allergic, allergy, allergies, migraine*, \
        surgery, surgeon, pregnant, pregnancy, miscarriage, ivf, hiv, std, sti, chlamydia, herpes, sick leave, \
        infection, dentist, root canal, physio*, rehab, addiction, alcoholic, relapse, overdose, suicid*, self harm, \
        eating disorder, anorexi*, bulimi*, ssri, sertraline, fluoxetine, xanax, dosage, mg of, gynaecolog*, \
        gynecolog*, urolog*, oncolog*, cardiolog*, dermatolog*, neurolog*, ultrasound, smear test, colonoscopy, \
        vasectomy, contraceptive*, hormone*, thyroid, epilep*, seizure*, ocd, ptsd, burnout, counselling, counseling, \
        antihistamine*, inhaler, fracture*, broken arm, broken leg, concussion, a and e, er visit, \
        emergency room, mammogram, pap smear, sperm, fertility, menopause, period pain, endometriosis, \
        arzt, arztin, arzte, hausarzt, hausarztin, krankenhaus, klinik, diagnose, befund*, medikament*, tablette*, \
        therapie, therapeut*, depression*, angststorung, panikattack*, krebs, tumor*, chemo, blutwert*, blutdruck, \
        blutabnahme, blutbild, cholesterin, allergi*, migrane, operation, op termin, schwanger*, fehlgeburt, \
        krankschreibung, krankgeschrieben, krankmeldung*, zahnarzt*, physiotherap*, entzug, sucht, suizid*, frauenarzt*, \
        orthopad*, mrt, rontgen*, ultraschall, darmspiegelung, schilddruse, heuschnupfen, asthmaspray, notaufnahme, \
        kinderarzt*, psychotherap*, facharzt*, reha, antibiotika, krankenkasse, attest, \
        medecin*, docteur, generaliste, hopital, clinique, diagnostic, ordonnance, medicament*, therapie, psychiatre, \
        psychologue, anxiete, crise d angoisse, crises d angoisse, tumeur, chimio*, prise de sang, analyse de sang, analyses de sang, \
        tension arterielle, cholesterol, diabete, allergi*, chirurgi*, enceinte, grossesse, fausse couche, \
        arret maladie, dentiste, kine, kinesitherap*, sevrage, gyneco*, irm, radiographie, echographie, urgences, \
        pediatre, mutuelle, carte vitale, cancer du, \
        medico, medica, doctora, antidepresiv*, le operan, me operan, la operan, lo operan, fractura, rompio la cadera, broken hip, broke her hip, broke his hip, operado, operada, schulpsycholog*, kinderpsycholog*, clinica, diagnostico, medicamento*, pastilla*, terapia, terapeuta, psicolog*, \
        psiquiatra, depresion, ansiedad, ataque de panico, cancer, quimio*, analisis de sangre, analitica, \
        colesterol, diabetes, alergi*, migrana*, cirugia, operacion, embarazada, embarazo, aborto, baja medica, \
        dentista, fisio*, adiccion, ginecolog*, resonancia, radiografia, ecografia, pediatra, urgencias
        medium: sick, ill, illness, pain, fever, flu, covid, vaccin*, vaccine, jab, booster, pills, pill, painkiller*, \
        my period, care home, nursing home, seniorenheim, pflegeheim, maison de retraite, ehpad, residencia de ancianos, ibuprofen, paracetamol, aspirin, headache, nausea, vomit*, rash, injury, injured, sprained, cough*, \
        antibiotics, appointment with dr, dr, weight loss, diet plan, sleep problems, insomnia, nightmares, lump, stitches, \
        krank, schmerzen, fieber, grippe, erkaltet, impfung, geimpft, kopfschmerzen, ubelkeit, verletzt, husten, \
        schlaflos*, schlafstorung*, malade, maladie, douleur*, fievre, grippe, vaccin, migraine, mal au ventre, \
        nausee, blesse*, toux, insomnie, enfermo, enferma, enfermedad, dolor, fiebre, gripe, vacuna*, nauseas, \
        herido, herida, tos, insomnio
        weak: tired, exhausted, sleep, gym, workout, run, müde, erschopft, fatigue, cansado, cansada
        strong: kardiolog*, onkolog*, gynakolog*, hamatolog*, nephrolog*, endokrinolog*, gastroenterolog*, \
            ekg, ecg, holter, pacemaker, herzschrittmacher, stimulateur cardiaque, marcapasos, celiaco, celiaca
        strong: arztpraxis, pedopsy*, tdah, adhs, lab results, test results, laborergebnis*, laborwerte, resultats d analyse*, resultados de los analisis
        medium: labo, laboratoire, laboratorio, blood results
        weak: results, ergebnisse, resultats, resultados, praxis
        strong: zoloft, prozac, lexapro, escitalopram, citalopram, sertralin*, fluoxetin*, paroxetin*, venlafaxin*, duloxetin*, bupropion, \
            wellbutrin, mirtazapin*, quetiapin*, seroquel, lamotrigin*, ritalin, methylphenidat*, adderall, concerta, elvanse, vyvanse, \
            metformin*, ozempic, semaglutid*, wegovy, levothyrox*, thyroxin*, euthyrox, diazepam, lorazepam, valium, tavor, tramadol, oxycodon*, \
            opioid*, opiat*, morphin*, methadon*, subutex, suboxone, naltrexon*, antabus*, \
            diagnosti*, psychiater*, relaps*, rechute, recaida, depressiv*, depresiv*, depressive, \
            dyslexi*, dyslexic, legasthen*, dyspraxi*, dyscalcul*, dyskalkul*, discalculia, dislexi*, dispraxia, \
            multiple sclerosis, sclerose en plaques, esclerosis multiple, crohn*, colitis, coeliac, celiac, zoliakie, \
            weeks along, weeks pregnant, wochen schwanger, semaines de grossesse, semanas de embarazo
        strong: dementia, demenz, demence, demencia, alzheimer*, parkinson*, had a stroke, a minor stroke, after the stroke, schlaganfall, avc, ictus, heart attack, herzinfarkt, \
            infarctus, infarto, came back abnormal, came back positive, results were abnormal, auffalliger befund, resultat anormal
        medium: abnormal, auffallig, anormal, anormale, wets the bed, bedwetting, nasst ein, einnassen, fait pipi au lit, enuresis, se hace pis
        strong: dialysis, dialyse, dialisis, transplant list, kidney transplant, liver transplant, waiting for a transplant, nierentransplant*, \
            transplantationsliste, liste de greffe, greffe de rein, greffe du rein, en attente de greffe, lista de trasplante, trasplante de rinon, \
            fibromyalgia, fibromyalgie, fibromialgia, rheumatolog*, rhumatolog*, reumatolog*, rheuma, polyarthrite, artritis reumatoide, \
            hearing aid, hearing aids, horgerat*, appareil auditif, appareils auditifs, audifono*, audiology, audiolog*, \
            cochlear implant, cochlea implantat, implant cochleaire, implante coclear, \
            levodopa, madopar, modopar, sinemet, neupro, rotigotin*, pramipexol*, ropinirol*, \
            days sober, tage trocken, trocken seit, jours sans alcool, dias sin beber, sin beber desde
        medium: my tablets, no drink, without a drink
        strong: sleep apnea, sleep apnoea, cpap, schlafapnoe, apnee du sommeil, apnea del sueno, apnea obstructiva, \
            suchtdruck, craving alcohol, cravings for alcohol, envie de boire, ganas de beber
        medium: craving, cravings, craved, nichts getrunken, keinen tropfen
        strong: warfarin*, marcumar, phenprocoumon, sintrom, acenocoumarol, apixaban, eliquis, rivaroxaban, xarelto, heparin*, clexane, enoxaparin*, \
            clopidogrel, atorvastatin*, simvastatin*, rosuvastatin*, amlodipin*, ramipril, lisinopril, bisoprolol, metoprolol, furosemid*, \
            prednisolon*, prednison*, methotrexat*, humira, adalimumab, gabapentin*, pregabalin*, lyrica, codein*, fentanyl, buprenorphin*, \
            naloxon*, zolpidem, zopiclon*, amitriptylin*, valproat*, depakin*, levetiracetam, keppra, carbamazepin*, risperidon*, risperdal, \
            olanzapin*, zyprexa, aripiprazol*, abilify, clozapin*, haloperidol, atomoxetin*, strattera, sildenafil, viagra, tadalafil, cialis, \
            finasterid*, isotretinoin*, roaccutan*, accutane, truvada, antiretrovira*, tamoxifen*, letrozol*, clomid, clomifen*, menopur, \
            gonal f, epipen, salbutamol, ventolin, montelukast, carbimazol*, allopurinol, colchicin*, insulin pen, insulinpen, stylo a insuline, \
            pluma de insulina, glucose sensor, freestyle libre, dexcom, glukosesensor, capteur de glycemie, sensor de glucosa, \
            stoma, stomie, estoma, colostom*, ileostom*, catheter, katheter, sonde urinaire, sonda vesical, cannula, kanule, canule, \
            ferritin*, creatinin*, glycemie, glucemia, blutzucker, blood sugar, psa test, psa level, psa wert, \
            eczema, ekzem*, eccema, psoriasis, dermatitis, dermatite, neurodermitis, arztlich*, \
            fiv, pma, embryo transfer, transfert d embryon, transferencia de embriones, egg retrieval, \
            ponction ovocytaire, puncion ovarica, eizellentnahme, kinderwunschklinik, reproduccion asistida, fecondation in vitro, \
            fecundacion in vitro, kunstliche befruchtung, \
            cbt, cognitive behavioural, cognitive behavioral, verhaltenstherapie, tcc, therapie cognitive, terapia cognitivo*, talking therapy, emdr
        medium: perfusion, infusion, lithium, statin, statins, inr, insemination, inseminacion
        strong: libre sensor, capteur freestyle, pression positive continue, walking frame, zimmer frame, rollator, deambulateur, andador, \
            shower chair, duschstuhl, chaise de douche, silla de ducha, admitted to hospital, eingeliefert, hospitalise*, ingresado, ingresada, \
            pneumolog*, neumolog*, pulmonolog*, geriatri*, chu de, oxygen tank, sauerstoffgerat, oxygenotherap*
        medium: ppc, vertige*, schwindel*, mareo*, dizzy, dizziness, oxygen, sauerstoff, oxigeno, entorse, verstauchung, esguince
        """

    static let finances = """
        strong: salary, payslip, pay slip, pay rise, raise of, bank account, account number, account no, iban, bic, \
        swift code, routing number, sort code, credit card, debit card, card number, loan, mortgage, debt, debts, \
        overdraft, credit score, tax return, tax id, tax number, bankrupt*, insolven*, savings account, net worth, \
        brokerage, stock options, crypto wallet, seed phrase, inheritance, alimony, child support, pension fund, \
        401k, payday loan, bailiff, collections agency, owe him, owe her, owe them, i owe, \
        gehalt, gehaltsabrechnung, lohnabrechnung, lohn, kontonummer, bankverbindung, girokonto, kredit, darlehen, \
        hypothek, schulden, dispo, dispokredit, schufa, steuererklarung, steuernummer, steuer id, insolvenz, \
        ersparnisse, erspartes, sparbuch, depot, erbschaft, unterhalt, kreditkarte, ec karte, girocard, \
        gehaltserhohung, finanzamt, pfandung, mahnung, inkasso, \
        salaire, fiche de paie, bulletin de salaire, compte bancaire, numero de compte, rib, pret, pret immobilier, \
        hypotheque, dette, dettes, decouvert, impots, declaration d impots, faillite, epargne, livret a, \
        placements, heritage, pension alimentaire, carte bancaire, carte bleue, augmentation de salaire, surendette*, \
        sueldo, salario, nomina, cuenta bancaria, numero de cuenta, prestamo, hipoteca, deuda, deudas, descubierto, \
        impuestos, declaracion de la renta, quiebra, ahorros, inversiones, herencia, pension alimenticia, \
        tarjeta de credito, tarjeta de debito, aumento de sueldo
        medium: bank, banking, invoice, tax, taxes, invest*, stocks, crypto, bitcoin, pension, money problems, \
        paypal, venmo, income, finances, financial, insurance, borrow money, lent him, lent her, lend me, \
        konto, steuer, steuern, aktien, rente, versicherung, uberweisung, finanzen, pleite, geld leihen, geld geliehen, \
        banque, virement, fauche, impot, preter, prete, \
        banco, jubilacion, seguro de, transferencia, impuesto, preste, prestado, prestar
        weak: euro, euros, dollars, price, cost, expensive, paid, rent, bill, bills, account, budget, broke, transfer, \
        wire, shares, retraite, kosten, teuer, miete, rechnung, geld, loyer, facture, argent, compte, assurance, cher, \
        alquiler, factura, dinero, cuenta, caro
        strong: my balance, bank balance, account balance, balance is down, kontostand, mon solde, le solde, mi saldo, el saldo, \
            car payment, missed a payment, behind on rent, mietruckstand, retard de loyer, atrasado con el alquiler
        strong: debt collector*, debt collection, collection agency, recouvrement, agence de recouvrement, agencia de recobro, recobro, \
            minicredito*, microcredito*, intereses de demora, mahngebuhr*, rent arrears, in arrears, arrieres de loyer, loyers impayes, \
            facture impayee, factures impayees, recibos impagados, impago, \
            concurso de acreedores, liquidation judiciaire, redressement judiciaire, embarg*, tax audit, vat audit, betriebsprufung, \
            steuerprufung, controle fiscal, inspeccion de hacienda, cash in hand, bar auf die hand, schwarzarbeit, schwarz bezahlt, \
            ohne rechnung, travail au noir, paye au noir, sans facture, pagado en negro, cobrar en negro, trabajo en negro, sin factura
        medium: got fired, been fired, was fired, i m fired, fired me, fired from, laid off, being let go, was let go, got let go, made redundant, redundancy, gekundigt, entlassen, arbeitslos, \
            licencie, licenciee, licenciement, chomage, me han despedido, me despidieron, carta de despido, en el paro
        """

    static let identity = """
        strong: passport, passport number, id card, identity card, national id, social security, ssn, \
        driver s licence, driver s license, drivers license, driving licence, driving license, licence number, \
        license number, birth certificate, residence permit, green card, national insurance number, ni number, \
        visa application, citizenship, naturalisation, naturalization, \
        personalausweis, ausweis, ausweisnummer, reisepass, passnummer, fuhrerschein, geburtsurkunde, \
        aufenthaltstitel, aufenthaltserlaubnis, sozialversicherungsnummer, versichertennummer, einburgerung, \
        staatsangehorigkeit, \
        carte d identite, cni, passeport, permis de conduire, numero de securite sociale, securite sociale, \
        acte de naissance, titre de sejour, naturalisation, \
        dni, pasaporte, carnet de conducir, permiso de conducir, numero de la seguridad social, \
        seguridad social, partida de nacimiento, permiso de residencia, tarjeta de residencia, nacionalidad
        medium: date of birth, born on, visa, maiden name, geburtsdatum, geboren am, date de naissance, \
        ne le, nee le, fecha de nacimiento, naci el
        weak: signature, unterschrift
        strong: nhs number, health insurance number, personalausweis*, ausweis*, passnummer*, krankenversicherungsnummer, numero de secu, carte vitale, numero de pasaporte, tarjeta sanitaria
        strong: numero fiscal, identifiant fiscal, numero d identification fiscale, nif, tax file number, \
            numero de identificacion fiscal, steueridentifikationsnummer, steuer identifikationsnummer
        """

    static let legal = """
        strong: lawyer, attorney, solicitor, lawsuit, sued, suing, sue him, sue her, sue them, court date, \
        court hearing, in court, custody, divorce, divorcing, restraining order, arrested, arrest, charged with, \
        eviction, evicted, eviction notice, section 21 notice, served a section 21, raumungsklage, zwangsraumung, \
        avis d expulsion, procedure d expulsion, desahucio, orden de desahucio, \
        conviction, convicted, criminal record, probation, parole, subpoena, deposition, cease and desist, \
        small claims, legal action, legal advice, tribunal, settlement offer, fraud, forged, \
        anwalt, anwaltin, rechtsanwalt*, klage, verklagt, verklagen, gericht, gerichtstermin, sorgerecht, \
        scheidung, einstweilige verfugung, festgenommen, verhaftet, vorstrafe*, bewahrung, abmahnung, strafbefehl, \
        mahnbescheid, strafanzeige, anzeige erstattet, anzeige gegen, staatsanwalt*, \
        avocat, avocate, proces, plainte, porter plainte, garde des enfants, garde alternee, divorce, ete arrete, \
        garde a vue, casier judiciaire, sursis, huissier, mise en demeure, prud hommes, \
        abogado, abogada, demandar, juicio, juzgado, custodia, divorcio, orden de alejamiento, detenido, \
        detenida, detuvieron, arrestado, denuncia, denuncie, antecedentes penales, libertad condicional, falsifie*, falsific*
        medium: police, cops, judge, legal, contract dispute, notary, testament, stole, stolen, shoplifted, embezzled, \
        geklaut, gestohlen, unterschlagen, aus der kasse, robado, robe, robar, \
        polizei, richter, prozess, notar, anzeige, juge, notaire, amende, arrete, policia, \
        juez, notario, testamento, multa, demanda
        weak: rules, law, gesetz, loi, ley
        strong: out of the till, from the till, in die kasse gegriffen, griff in die kasse, pique dans la caisse, piquer dans la caisse, \
            argent de la caisse
        medium: dinero de la caja
        strong: immigration, asylum, deportation, deported, asyl*, abschiebung, einwanderung*, demande d asile, expulsion, asilo, deportacion, inmigracion, extranjeria, \
            signed my will, updated my will, wrote my will, last will, sorgerecht*, familiengericht*, commissariat, anonymous source, whistleblower*, \
            informant, lanceur d alerte, source anonyme, fuente anonima, informante, hinweisgeber*, \
            undeclared, not declared, tax evasion, schwarzgeld, steuerhinterziehung, non declare, non declares, non declaree, fraude fiscale, \
            no declarado, dinero negro, evasion fiscal
        medium: convoque, convoquee, vorladung, citacion, citado
        strong: covered it up, hit and run, lied to the police, fahrerflucht, unfallflucht, vertuscht, bei der polizei gelogen, \
            delit de fuite, menti a la police, se dio a la fuga, le menti a la policia, mentimos a la policia
        strong: didn t declare, never declared, not declaring, off the books, nicht versteuert, am finanzamt vorbei, schwarz bezahlt, schwarzarbeit, \
            pas declare, pas declares, pas declaree, jamais declare, sans le declarer, au black, sin declarar, no lo declare, no la declare, \
            pagado en negro, cobrar en negro, cobro en negro, trabajo en negro
        medium: cash in hand
        medium: court ruled, court said, court decided, court case, the appeal, an appeal, lost the appeal, \
            das urteil, la apelacion, sentencia
        strong: demandado, demandada, demandaron, nos ha demandado, me ha demandado, poursuivre en justice, poursuit en justice, \
            assigne en justice, assignation, loyers impayes, alquileres impagados, mietschulden
        """

    static let intimate = """
        strong: sex, sexual, sexually, had sex, slept with, sleeping with, slept together, sleeping together, made love, make love, hookup, hooked up, one night stand, \
        affair, cheating on, cheated on, orgasm, erection, condom, condoms, birth control, libido, porn, \
        masturbat*, fetish, kink*, nudes, sexting, grindr, coming out, came out to, bisexual, transgender, \
        hacer el amor, hicimos el amor, haciendo el amor, faire l amour, fait l amour, miteinander geschlafen, \
        gender dysphoria, threesome, erectile, \
        geschlafen mit, affare, fremdgegangen, fremdgehen, kondom, kondome, verhutung, porno, selbstbefriedigung, \
        sexuell, schwul, lesbisch, bisexuell, erektion, nacktbild*, nacktfoto*, \
        sexe, relations sexuelles, couche avec, coucher avec, m a trompe, m a trompee, l a trompe, l a trompee, preservatif, \
        contraception, masturb*, bisexuel*, lesbienne, \
        sexo, relaciones sexuales, me acoste con, acostarme con, acostamos, infiel, condon, preservativo, \
        anticonceptiv*, masturb*, salir del armario, sali del armario, lesbiana
        medium: blindfold, handcuffs, augenbinde, bandeau sur les yeux, venda en los ojos, \
        tinder, bumble, hinge, dating app, gay, lesbian, queer, crush on, in love with, kissed, \
        kissing, make out, made out, naked, intimate, breakup, broke up, ex boyfriend, ex girlfriend, jealous, \
        verknallt, verliebt, gekusst, nackt, schluss gemacht, eifersuchtig, amoureux, amoureuse, embrasse, \
        liaison, nue, rupture, jaloux, jalouse, enamorado, enamorada, bese, nos besamos, desnudo, desnuda, \
        cortamos, celoso, celosa, gay, pille, pilule, pildora
        weak: date, dating, boyfriend, girlfriend, freund, freundin, copain, copine, novio, novia
        strong: trying for a baby, trying to conceive, ovulation, kinderwunsch, eisprung, ovulacion, buscando un bebe, \
            biological father, biologischer vater, leiblicher vater, pere biologique, padre biologico, paternity, vaterschaft*, paternite, paternidad
        strong: couples counsellor, couples counselor, marriage counsellor, marriage counselor, couples therapy, paartherapie, therapie de couple, terapia de pareja
        weak: in bed, im bett, au lit, en la cama, feelings for, gefuhle fur, sentiments pour, sentimientos por, my ex, mein ex, meine ex, mon ex, mi ex
        medium: ended up at his place, ended up at her place, ended up at his flat, ended up at her flat, back to his place, back to her place, \
            went home with him, went home with her, spent the night at his place, spent the night at her place, stayed the night at his place, \
            stayed the night at her place, stayed over at his place, stayed over at her place, bei ihm ubernachtet, bei ihr ubernachtet, nacht bei ihm, nacht bei ihr, \
            dormi chez lui, dormi chez elle, nuit chez lui, nuit chez elle, fini chez lui, fini chez elle, \
            acabamos en su casa, terminamos en su casa, acabe en su casa, termine en su casa, me quede a dormir en su casa, pase la noche con ella
        medium: still have feelings for, still got feelings for, still in love with, if i still love, whether i still love, do i still love, \
            noch gefuhle fur, ob ich ihn noch liebe, ob ich sie noch liebe, ob ich ihn uberhaupt noch liebe, ob ich sie uberhaupt noch liebe, \
            encore des sentiments pour, si je l aime encore, si je l aime toujours, si je l aime vraiment, \
            todavia siento algo por, aun siento algo por, sigo sintiendo algo por, si todavia lo quiero, si todavia la quiero, si aun lo quiero, si aun la quiero, \
            si lo sigo queriendo, si la sigo queriendo
        medium: enamor*, verlieb*, amoureu*, falling for, fallen for, fell for
        medium: break up with, breaking up with, want to break up, wants to break up, schluss machen, mit ihm schluss, mit ihr schluss, \
            rompre avec, quitter quelqu un avec qui, romper con, cortar con
        medium: geknutscht, knutschen, rumgeknutscht, snogged, me lie con, nos liamos, se lio con, me enrolle con, nos enrollamos, \
            j ai embrasse, on s est embrasses
        """

    static let children = """
        strong: kindergarten teacher said, his teacher said, her teacher said, report card, school report, bullying, bullied, \
        harcel*, gemobbt, mobbing, acoso escolar, school nurse, \
        pediatrician, paediatrician, custody of, child benefit, bullied at school, \
        kinderarzt*, zeugnis, elterngespr*, jugendamt, kindergeld, \
        pediatre, bulletin scolaire, carnet de sante, allocations familiales, \
        pediatra, notas del colegio, boletin de notas
        medium: kindergarten, kita, daycare, nursery, his school, her school, grundschule, creche, ecole maternelle, \
        guarderia
        weak: my son, my daughter, our son, our daughter, the kids, my kids, mein sohn, meine tochter, unser sohn, \
        unsere tochter, die kinder, die kleine, der kleine, mon fils, ma fille, notre fils, notre fille, \
        les enfants, mi hijo, mi hija, nuestro hijo, nuestra hija, los ninos, colegio, baby, toddler, kids, \
        children, kinder, enfants, ninos, bebe
        medium: principal, headteacher, head teacher, schulleiter*, directeur de l ecole, directrice de l ecole, director del colegio, directora del colegio, \
            school pickup, pick up from school, abholen von der schule, sortie de l ecole, salida del colegio, recoger del colegio
        strong: fiscalia de menores, proteccion de menores, servicios sociales de menores, protection de l enfance, aide sociale a l enfance, \
            child protection, safeguarding referral, kindeswohlgefahrdung, kinderschutz
        medium: padrastro, madrastra, stepfather, stepmother, stiefvater, stiefmutter
        medium: forderplan, forderbedarf, nachteilsausgleich, iep, sen support, aesh, pap scolaire, necesidades educativas
        """

    static let address = """
        strong: my address, home address, our address, new address, i live at, we live at, door code, gate code, \
        alarm code, buzzer code, spare key, key is under, key under the, \
        meine adresse, unsere adresse, neue adresse, wohne in der, wohnen in der, turcode, torcode, \
        alarmanlage code, ersatzschlussel, schlussel liegt, \
        mon adresse, notre adresse, nouvelle adresse, j habite au, j habite rue, digicode, code de la porte, \
        code portail, double des cles, \
        mi direccion, nuestra direccion, nueva direccion, vivo en la calle, vivimos en la calle, codigo del portal, \
        codigo de la puerta, llave de repuesto
        strong: zweitschlussel, reserveschlussel, cle de secours, cle de rechange, llave de emergencia, copia de la llave
        medium: apartment number, flat number, postcode, zip code, postleitzahl, code postal, codigo postal, \
        wohnung nr, appartement numero
        weak: street, strasse, rue, calle, piso
        """

    static let passwordHint = """
        strong: password hint, password, my password, the password, passwords, password manager, master password, \
        security question, mother s maiden name, recovery code*, backup codes, seed phrase, recovery phrase, \
        2fa code*, two factor, tan liste, safe combination, combination lock, lock combination, pin code, \
        my pin, the pin, pin number, same password, \
        passwort*, kennwort, passworthinweis, sicherheitsfrage, madchenname der mutter, wiederherstellungscode*, \
        geheimzahl, pin nummer, meine pin, die pin, tresor code, zahlenschloss, \
        mot de passe, mots de passe, mdp, indice du mot de passe, question secrete, code secret, \
        nom de jeune fille, code de recuperation, code pin, mon code, coffre fort, \
        contrasena*, pista de la contrasena, pregunta de seguridad, apellido de soltera, codigo de recuperacion, \
        codigo pin, mi pin, caja fuerte, clave del wifi, clave de acceso
        medium: login, log in details, credentials, username, 2fa, authenticator, \
        zugangsdaten, benutzername, identifiants, identifiant, usuario y clave
        weak: pin, clave
        strong: security answer, security answers, reponse secrete, respuesta de seguridad, passcode, handy code, handycode, entsperrcode, \
            code de deverrouillage, codigo de desbloqueo, app password, mis claves, tus claves, todas mis claves
        strong: seed words, recovery words, wallet words, seed worter, wiederherstellungsphrase, \
            phrase de recuperation, mots de recuperation, frase semilla, palabras de recuperacion
        strong: pregunta secreta, respuesta secreta, geheimfrage, secret question, security q
        strong: router key, wifi key, wpa key, wlan schlussel, netzwerkschlussel, cle wifi, cle wpa, clave del router, clave wpa
        """

    /// The writer says it is a secret: a confession is sensitive whatever its topic.
    static let secrecy = """
        strong: never told anyone, never told anybody, nobody knows, no one knows, don t tell anyone, keep it secret, \
        nobody else knows, nobody at work knows, between you and me, \
        niemand weiss, keiner weiss, niemandem erzahlt, niemandem sagen, sag es niemandem, darf niemand wissen, \
        niemand darf, \
        personne ne sait, personne ne le sait, personne ne doit le savoir, ne le dis a personne, jamais dit a personne, \
        nadie lo sabe, nadie sabe, no se lo digas a nadie, nunca se lo he contado a nadie, no se lo he contado a nadie, \
        nadie debe saber
        medium: secret, secretly, confession, geheim, heimlich, en secret, secretement, en secreto, a escondidas
        weak: private, privat, prive, privado
        strong: darf nie rauskommen, darf niemand erfahren, sonst niemand, si ca se sait, personne d autre, si se entera, si se enteran, nadie mas lo sabe
        strong: not telling anyone, haven t told anyone, didn t tell anyone, haven t told anybody, not telling anybody, \
            noch keinem gesagt, noch niemandem gesagt, keinem erzahlt, niemandem davon erzahlt, \
            n ose pas le dire, je ne l ai dit a personne, pas encore dit a, \
            no se lo he dicho a nadie, no se como decirselo, todavia no se lo he dicho, aun no se lo he dicho
        medium: haven t told, not telling, hasn t told, noch nicht gesagt, noch nicht erzahlt, pas encore dit, todavia no le he dicho
        """

    static let timeAnchor = """
        strong: today, yesterday, tonight, last night, this morning, this afternoon, this evening, tomorrow, \
        last week, last weekend, last month, last year, this week, this weekend, on monday, on tuesday, \
        on wednesday, on thursday, on friday, on saturday, on sunday, monday, tuesday, wednesday, thursday, \
        friday, saturday, sunday, ago, earlier today, just now, at noon, at lunch, after work, before work, \
        heute, gestern, vorgestern, heute morgen, heute abend, heute fruh, gestern abend, letzte woche, \
        letztes wochenende, letzten monat, letztes jahr, am montag, am dienstag, am mittwoch, am donnerstag, \
        am freitag, am samstag, am sonntag, montag, dienstag, mittwoch, donnerstag, freitag, samstag, sonntag, \
        neulich, vorhin, nach der arbeit, mittags, heute nachmittag, \
        aujourd hui, avant hier, demain, ce matin, ce soir, cet apres midi, hier soir, la semaine derniere, \
        le week end dernier, ce week end, lundi, mardi, mercredi, jeudi, vendredi, samedi, dimanche, \
        tout a l heure, apres le travail, ce midi, \
        hoy, ayer, anteayer, anoche, esta manana, esta tarde, esta noche, la semana pasada, \
        el fin de semana pasado, este fin de semana, el lunes, el martes, el miercoles, el jueves, el viernes, \
        el sabado, el domingo, lunes, martes, miercoles, jueves, viernes, sabado, domingo, hace un rato, \
        despues del trabajo
        medium: hier, manana, morning, evening, afternoon, night, weekend, january, february, march, april, june, july, \
        august, september, october, november, december, morgen, abend, nachmittag, wochenende, januar, februar, \
        marz, mai, juni, juli, oktober, dezember, matin, soir, janvier, fevrier, mars, avril, mai, juin, juillet, \
        aout, septembre, octobre, novembre, decembre, noche, tarde, enero, febrero, marzo, abril, mayo, junio, \
        julio, agosto, septiembre, octubre, noviembre, diciembre
        weak: then, dann, puis, luego, eben
        """

    static let eventVerb = """
        strong: went, met, saw, had, got, came, took, made, ate, drove, ran, bought, gave, told, said, found, left, \
        began, visited, watched, played, called, walked, cooked, spent, finished, started, arrived, flew, swam, \
        wrote, read it, tried, lost, won, forgot, caught, brought, sent, heard, felt, slept, woke up, picked up, \
        dropped off, showed up, hung out, \
        war, waren, hatte, hatten, ging, gingen, traf, trafen, sah, kam, kamen, fuhr, fuhren, gegangen, gefahren, \
        getroffen, gesehen, gemacht, gekocht, gegessen, gekauft, besucht, gespielt, angerufen, geschrieben, \
        gelaufen, geschwommen, angekommen, gewesen, gehabt, bekommen, erzahlt, gesagt, verloren, gewonnen, \
        vergessen, aufgewacht, abgeholt, spazieren gegangen, \
        suis alle, suis allee, sommes alles, sommes allees, ai vu, avons vu, ai mange, avons mange, ai fait, \
        avons fait, ai rencontre, avons rencontre, ai achete, ai appele, ai ecrit, ai joue, ai perdu, ai gagne, \
        etait, etions, avait, avions, suis arrive, suis arrivee, suis rentre, suis rentree, ai passe, avons passe, \
        ai pris, avons pris, ai cuisine, ai oublie, ai dormi, ai fini, ai commence, \
        fui, fuimos, fue, vi, vimos, comi, comimos, hice, hicimos, estuve, estuvimos, tuve, tuvimos, compre, \
        compramos, llame, llego, llegue, llegamos, jugamos, jugue, cocine, cenamos, cene, almorzamos, perdi, gane, \
        olvide, dormi, empece, termine, pasamos, pase, conoci, salimos, sali, paseamos, quedamos
        medium: did, was, were, have been, has been, bin, ist gewesen, sind, j ai, nous avons, on a, he, hemos
        weak: is, ist, est, es
        """

    static let fact = """
        strong: i like, i love, i prefer, i hate, i dislike, my favourite, my favorite, favourite, favorite, \
        i always, i never, i usually, usually, every day, every morning, every week, i don t like, i can t stand, \
        i m vegetarian, i am vegetarian, vegan, note to self, remember that, tip, recipe, how to, rule of thumb, \
        prefers, likes, loves, hates, always, never, generally, in general, \
        ich mag, ich liebe, ich hasse, lieblings*, ich bevorzuge, am liebsten, immer, nie, niemals, normalerweise, \
        jeden tag, jeden morgen, ich bin vegetarier*, vegetarisch, rezept, merke, tipp, mag keine, mag kein, \
        j aime, j adore, je prefere, je deteste, prefere, preferee, toujours, jamais, d habitude, tous les jours, \
        chaque matin, je suis vegetarien*, recette, astuce, n aime pas, \
        me gusta, me encanta, me gustan, prefiero, odio, favorito, favorita, siempre, nunca, normalmente, \
        todos los dias, cada manana, soy vegetarian*, receta, truco, no me gusta
        medium: works as, lives in, is from, speaks, knows, wohnt in, arbeitet als, spricht, habite a, travaille comme, \
        parle, vive en, trabaja como, habla
        weak: good, great, gut, bien, bueno
        """
}
