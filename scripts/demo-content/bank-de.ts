/** German tickets and replies for the demo pool. */
import { group, type LanguageBank } from './types';

export const de: LanguageBank = {
  language: 'de',
  given: ['Lena', 'Jonas', 'Sabine', 'Felix', 'Anja', 'Matthias', 'Katrin', 'Lukas', 'Miriam', 'Tobias', 'Jürgen', 'Franziska'],
  family: ['Müller', 'Schneider', 'Weiß', 'Hoffmann', 'Krüger', 'Becker', 'Schäfer', 'Wagner', 'Vogel', 'Brandt', 'Lehmann', 'Köhler'],
  money: (v) => `${group(v, '.')},00 €`,
  greetings: ['Hallo,', 'Guten Tag,', 'Sehr geehrte Damen und Herren,', 'Hallo Lumen-Team,', 'Moin,'],
  closers: ['Viele Grüße\n{given}', 'Mit freundlichen Grüßen\n{given}', 'Danke und Gruß\n{given}', 'Beste Grüße\n{given}'],
  context: [
    'Wir sind ein Handwerksbetrieb mit {seats} Mitarbeitern und nutzen Lumen seit 2023.',
    '!Abmelden, neu anmelden und Cache leeren habe ich schon versucht.',
    '!Das Problem tritt in Chrome und Edge auf.',
    '!Bis letzte Woche lief alles einwandfrei.',
  ],
  urgentPush: ['Bitte dringend bearbeiten.', 'Wir brauchen heute noch eine Lösung.', 'Sonst müssen wir leider kündigen.'],
  scenarios: {
    billing: {
      urgent: [
        ['Doppelte Abbuchung', 'Uns wurden diesen Monat {amount} zweimal für dasselbe Abo abgebucht. Bitte erstatten Sie den doppelten Betrag umgehend.'],
        ['Rückerstattung fehlt seit drei Wochen', 'Wir haben gekündigt und eine Erstattung von {amount} zugesagt bekommen. Bis heute ist nichts eingegangen.'],
      ],
      routine: [
        ['USt-IdNr. auf Rechnungen', 'Können Sie unsere USt-IdNr. auf künftigen Rechnungen angeben? Unser Steuerberater braucht sie.'],
        ['Rechnungsadresse ändern', 'Wir sind umgezogen. Bitte ändern Sie die Rechnungsadresse auf Hafenstraße 12, 20457 Hamburg.'],
        ['Frage zu Rechnung {invoice}', 'Auf Rechnung {invoice} stehen {seats} Lizenzen, wir haben aber nur {n} aktive Nutzer. Wie wird gezählt?'],
      ],
    },
    bug: {
      urgent: [
        ['Kalender lädt für niemanden', 'Seit heute früh lädt der Kalender bei keinem unserer Mitarbeiter, nur "Fehler 502". Wir haben heute {n} Termine und sehen sie nicht.'],
        ['Termine nach Update verschwunden', 'Nach dem Update gestern Abend sind alle Termine vor Juni aus dem gemeinsamen Kalender verschwunden. Wir haben keine andere Kopie.'],
      ],
      routine: [
        ['Umlaute im CSV-Export kaputt', 'Beim CSV-Export wird aus "Müller" in Excel "MÃ¼ller".'],
        ['Wochenansicht im Dunkelmodus schlecht lesbar', 'Im Dunkelmodus sind die Termintitel in der Wochenansicht dunkelgrau auf schwarz.'],
        ['Logo auf PDF-Rechnung unscharf', 'Unser Logo ist auf den PDF-Rechnungen unscharf, obwohl die Datei groß genug ist.'],
      ],
    },
    account: {
      urgent: [
        ['Ehemaliger Mitarbeiter hat noch Zugriff', 'Ein gestern ausgeschiedener Mitarbeiter kann sich noch anmelden und alle Kundenrechnungen sehen. Bitte sofort sperren.'],
        ['Kündigung droht', 'Zum dritten Mal in diesem Monat wurden alle abgemeldet und Arbeit ging verloren. Wenn das diese Woche nicht behoben ist, kündigen wir alle {seats} Lizenzen.'],
      ],
      routine: [
        ['Inhaberschaft übertragen', 'Ich verlasse die Firma. Wie übertrage ich den Arbeitsbereich an meine Kollegin?'],
        ['Zweiten Admin hinzufügen', 'Wie mache ich einen weiteren Nutzer zum Administrator?'],
      ],
    },
    'feature-request': {
      urgent: [['Mehrere Währungen vor Vertragsverlängerung', 'Unsere Verlängerung steht in zwei Wochen an. Ohne Rechnungen in EUR und CHF aus einem Arbeitsbereich verlängert die Geschäftsführung nicht.']],
      routine: [
        ['Wunsch: Kalenderwochen anzeigen', 'Bitte zeigen Sie die Kalenderwochen (KW) an. Bei uns plant jeder nach KW.'],
        ['DATEV-Schnittstelle?', 'Ist eine Anbindung an DATEV geplant? Das Abtippen der Rechnungen kostet Stunden.'],
      ],
    },
    security: {
      urgent: [
        ['Verdächtige Anmeldungen', 'Heute Nacht kamen {n} Anmeldewarnungen aus dem Ausland. Das war niemand von uns. Bitte Konto sperren und prüfen, was abgerufen wurde.'],
        ['Rechnungen ohne Login abrufbar?', 'Ein Kunde hat mir einen Link zu unserer Rechnung geschickt, der sich ohne Anmeldung öffnet. Kann jeder mit dem Link unsere Rechnungen sehen?'],
      ],
      routine: [
        ['Auftragsverarbeitungsvertrag (AVV)', 'Für unseren Datenschutzbeauftragten benötigen wir Ihren AVV. Wo finde ich ihn?'],
        ['Zwei-Faktor-Authentifizierung erzwingen', 'Können wir 2FA für alle Mitglieder verpflichtend machen?'],
      ],
    },
    other: {
      urgent: [['Auskunftsersuchen nach DSGVO – Frist läuft ab', 'Ich habe vor fast einem Monat Auskunft nach Art. 15 DSGVO beantragt und keine Antwort erhalten. Die Frist läuft nächste Woche ab.']],
      routine: [
        ['Lob', 'Wollte nur sagen: Die neue Wochenansicht ist super. Danke!'],
        ['Support zwischen den Jahren?', 'Ist der Support zwischen Weihnachten und Neujahr erreichbar?'],
      ],
    },
  },
  replies: {
    greeting: 'Hallo {name},',
    thanks: ['vielen Dank für Ihre Nachricht zu „{subject}“.', 'danke, dass Sie sich wegen „{subject}“ melden.'],
    body: {
      billing: {
        urgent: ['Das tut uns sehr leid. Unser Abrechnungsteam ist mit Priorität informiert, prüft heute alle Buchungen auf Ihrem Konto und erstattet jeden fehlerhaft abgebuchten Betrag. Sie erhalten eine Bestätigung per E-Mail.'],
        routine: ['Unser Abrechnungsteam kümmert sich darum und meldet sich innerhalb eines Werktags. Ihre Rechnungen finden Sie auch unter Einstellungen > Abrechnung.'],
      },
      bug: {
        urgent: ['Das tut uns leid – wir wissen, wie störend das ist. Wir haben den Fall an unsere Bereitschaft eskaliert und melden uns, sobald wir mehr wissen.'],
        routine: ['Danke für die genaue Beschreibung. Wir haben den Fehler an unser Produktteam weitergegeben. Ein Screenshot und Ihre App-Version helfen uns sehr.'],
      },
      account: {
        urgent: ['Wir verstehen, dass Sie das blockiert, und entschuldigen uns. Ihr Anliegen ist mit Priorität eskaliert; zum Schutz Ihres Kontos prüfen wir zuerst Ihre Identität und helfen dann sofort.'],
        routine: ['Gern helfen wir. Unser Kontoteam übernimmt das; aus Sicherheitsgründen bitten wir Sie eventuell um eine Bestätigung von der Konto-E-Mail-Adresse.'],
      },
      'feature-request': {
        urgent: ['Danke, dass Sie so klar sagen, was Sie brauchen. Wir haben Ihre Anfrage an das Produktteam weitergegeben; jemand meldet sich vor Ihrem Verlängerungstermin.'],
        routine: ['Danke für den Vorschlag! Wir haben ihn in unsere Ideensammlung aufgenommen, die das Produktteam monatlich durchgeht.'],
      },
      security: {
        urgent: ['Danke, dass Sie uns sofort informieren. Unser Sicherheitsteam prüft noch heute die Aktivitäten auf Ihrem Konto. Bitte ändern Sie Ihr Passwort und aktivieren Sie die Zwei-Faktor-Authentifizierung.'],
        routine: ['Gute Frage. Unser Sicherheitsteam schickt Ihnen die Unterlagen mit allen Details.'],
      },
      other: {
        urgent: ['Wir bedauern die Situation. Ihre Nachricht liegt jetzt bei der zuständigen Stelle, die Ihnen fristgerecht schriftlich antwortet.'],
        routine: ['Vielen Dank für Ihre Nachricht! Wir haben sie an die richtige Person weitergeleitet, die sich bald meldet.'],
      },
    },
    signoff: 'Viele Grüße\nIhr Lumen-Support',
  },
};
