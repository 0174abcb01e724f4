/** English tickets and replies for the demo pool (Lumen: a team calendar and invoicing app). */
import { group, type LanguageBank } from './types';

export const en: LanguageBank = {
  language: 'en',
  given: ['Olivia', 'Marcus', 'Priya', 'Liam', 'Hannah', 'Tomás', 'Grace', 'Daniel', 'Aisha', 'Ethan', 'Chloe', 'Samuel', 'Nora', 'Kwame', 'Zoe', 'Rahul', 'Megan', 'Owen', 'Fatima', 'Lucas', 'Ruby', 'Declan', 'Mei', 'Isaac'],
  family: ['Whitfield', 'Okafor', 'Raman', 'Gallagher', 'Brennan', 'Lindqvist', 'Harper', 'Castellano', 'Mensah', 'Doyle', 'Kowalski', 'Patel', 'Fairweather', 'Nguyen', 'Ashford', 'Delaney', 'Morrow', 'Sato', 'Quinlan', 'Abbott'],
  money: (v) => `$${group(v, ',')}.00`,
  greetings: ['Hi,', 'Hello,', 'Hi Lumen team,', 'Hello support,', 'Hey there,', 'Good morning,', 'To whom it may concern,', 'Hi folks,'],
  closers: ['Thanks,\n{given}', 'Cheers,\n{given}', 'Best,\n{given}', 'Thank you!\n{given}', 'Regards,\n{given}', '— {given}', 'Thanks in advance,\n{given}\n\nSent from my phone'],
  context: [
    'We are a team of {seats} and have used Lumen for about two years.',
    '!I already tried logging out and back in, and clearing the browser cache.',
    '!This happens in both Chrome and Firefox, on Windows and on my Mac.',
    'Our office manager set up the account originally, but she has since left the company.',
    '!I checked your status page and it says all systems are operational.',
    'We rely on the shared calendar for scheduling our field technicians every morning.',
    '!For what it is worth, everything worked fine until last Tuesday.',
    '!I have attached a screenshot, although I am not sure the attachment went through.',
    '!My colleague on the same plan does not see the problem at all.',
    'We are on the annual plan, renewed in March.',
  ],
  urgentPush: [
    'Please treat this as urgent.',
    'I need this fixed today.',
    'Can someone call me back as soon as possible?',
    'This is costing us money every hour it stays broken.',
    'If this is not resolved this week we will have to look at other tools.',
  ],
  scenarios: {
    billing: {
      urgent: [
        ['Charged three times this month', 'My card was charged {amount} three times on the same day for one subscription. That is money we need for payroll. Please refund the duplicate charges immediately.'],
        ['Refund still missing after cancellation', 'We cancelled on the 2nd and were promised a refund of {amount}. It has been three weeks and nothing has arrived. My bank says no refund was ever issued.'],
        ['Invoice {invoice} charged to the wrong card', 'Invoice {invoice} was charged to my personal credit card instead of the company card on file. {amount} is now sitting on my own statement.'],
        ['Account suspended for non-payment but we paid', 'Our workspace was suspended this morning for non-payment, but invoice {invoice} was paid by bank transfer last week. Twelve people cannot access their calendars right now.'],
      ],
      routine: [
        ['VAT number on invoices', 'Could you add our VAT number to future invoices? Our accountant needs it for the quarterly return.'],
        ['Switch from monthly to annual billing', 'We would like to switch to annual billing. Is the discount applied immediately, or at the next renewal?'],
        ['Question about invoice {invoice}', 'Invoice {invoice} shows {seats} seats but we only have {n} active users. Can you explain how seats are counted?'],
        ['Need a copy of last year\'s invoices', 'Where can I download all invoices from last year as PDFs? The billing page only shows the last six months.'],
        ['Change billing address', 'We moved offices. Please update the billing address to 14 Harbour Road, Suite 300. Thanks.'],
        ['Do you offer nonprofit pricing?', 'We are a registered charity with {seats} volunteers. Do you have a nonprofit discount?'],
      ],
    },
    bug: {
      urgent: [
        ['Calendar completely down for our whole team', 'Since about 8am nobody on our team can load the calendar. We just get a spinning wheel and then "Something went wrong (502)". We have {n} appointments today that we cannot see.'],
        ['Invoices sent with wrong totals to customers', 'Every invoice generated since this morning shows a total of {amount} regardless of the line items. Several already went out to our clients. Please stop this now.'],
        ['Data missing after update', 'After the update last night, all events before June are gone from our shared calendar. We have no other copy of that schedule.'],
        ['Cannot send any invoices — month end', 'The "Send invoice" button fails with an error every time. It is the last day of the month and we have {n} invoices to send out today.'],
      ],
      routine: [
        ['Time zone shows wrong on recurring events', 'Recurring events created before the daylight saving change now show one hour off for colleagues in Lisbon.'],
        ['Export to CSV has broken accents', 'When I export contacts to CSV, names like "José" turn into "JosÃ©" in Excel.'],
        ['Dark mode: unreadable text', 'In dark mode the event titles in week view are dark grey on black. Hard to read.'],
        ['PDF logo is blurry', 'Our logo looks blurry on PDF invoices even though I uploaded a large PNG.'],
        ['Drag and drop sometimes snaps to wrong day', 'Dragging an event in month view occasionally drops it one day later than where I release it.'],
        ['Mobile app crashes when opening settings', 'The Android app closes itself when I open Settings > Notifications. Version 4.12, Pixel 7.'],
      ],
    },
    account: {
      urgent: [
        ['Locked out of admin account', 'I am the only admin and I am locked out after the password reset email never arrived. Payroll invoices need approving today and nobody else has access.'],
        ['We are cancelling unless this is fixed', 'This is the third time this month our users have been logged out and lost unsaved work. If this is not fixed this week we will cancel all {seats} seats and move to a competitor.'],
        ['Former employee still has access', 'An employee we let go yesterday can still log in and see every client\'s invoices. Remove her access now, please — I cannot find how.'],
      ],
      routine: [
        ['Transfer ownership of the workspace', 'I am leaving the company. How do I transfer ownership of our workspace to my colleague?'],
        ['Change the email on my account', 'I would like to change my login email from my old address to my new one. Is that possible without losing my data?'],
        ['Add a second admin', 'How can I make another user an admin? I only see "member" in the role list.'],
        ['Merge two accounts', 'I accidentally created two accounts with different emails. Can you merge them?'],
        ['Delete my account', 'Please delete my personal account. I no longer use Lumen. Thank you.'],
      ],
    },
    'feature-request': {
      urgent: [
        ['Need multi-currency invoices before contract renewal', 'Our renewal is in two weeks and management will not renew unless we can invoice in EUR and GBP from the same workspace. Is this on the roadmap? We will have to leave otherwise.'],
      ],
      routine: [
        ['Feature idea: week numbers', 'It would be great to show ISO week numbers in the calendar. Everyone here plans by week number.'],
        ['Integration with accounting software', 'Any plans to integrate with popular accounting tools? Copying invoices by hand takes hours.'],
        ['Recurring invoices', 'Could you add recurring invoices? We bill the same {n} clients every month.'],
        ['Customisable reminder emails', 'We would love to edit the text of the payment reminder emails so they sound like us.'],
        ['Keyboard shortcuts', 'Please add keyboard shortcuts for switching between day, week and month view.'],
        ['Public booking page', 'Could clients book a slot on a public page that syncs with our calendar? That would save us lots of back-and-forth.'],
      ],
    },
    security: {
      urgent: [
        ['Suspicious logins from another country', 'I got {n} login alerts overnight from an IP in a country none of us have ever been to. I did not log in. Please lock the account and tell me what was accessed.'],
        ['Phishing email pretending to be Lumen', 'Several of my staff received an email "from Lumen Billing" asking them to re-enter card details on a strange website. One of them may have done it.'],
        ['Our invoices visible without login?', 'A client sent me a link to one of our invoices and it opened in a private window with no login. Can anyone with the link see our invoices?'],
      ],
      routine: [
        ['Do you support SSO?', 'Do you support single sign-on with our identity provider? Our IT policy requires it for new tools.'],
        ['Two-factor authentication options', 'Can we enforce two-factor authentication for all members of our workspace?'],
        ['Security questionnaire', 'Our procurement team needs a completed security questionnaire and your data processing agreement. Who should I send it to?'],
        ['Where is our data stored?', 'Which region is our data stored in, and are backups encrypted?'],
      ],
    },
    other: {
      urgent: [
        ['Formal complaint and legal notice', 'Your service lost a week of our bookings and our clients are now asking for compensation. Our lawyer has advised us to request a formal written explanation within 48 hours before we take further steps.'],
        ['GDPR data request — deadline', 'Under GDPR I request a copy of all personal data you hold about me. The one-month deadline runs out next week and I have had no answer to my first request.'],
      ],
      routine: [
        ['Thank you!', 'Just wanted to say the new invoice templates look great. Thanks to the team!'],
        ['Partnership inquiry', 'We run a small consultancy that sets up tools for local businesses. Do you have a partner or reseller program?'],
        ['Do you have a status page?', 'Is there a status page or an email list for maintenance announcements?'],
        ['Interview for a blog post', 'I write a blog about small-business software and would love to interview someone from your team.'],
        ['Office hours over the holidays', 'Will support be available between Christmas and New Year?'],
      ],
    },
  },
  replies: {
    greeting: 'Hi {name},',
    thanks: ['thanks for getting in touch about "{subject}".', 'thank you for your message about "{subject}".', 'thanks for reaching out regarding "{subject}".'],
    body: {
      billing: {
        urgent: [
          'I am sorry about this — unexpected charges are stressful. I have flagged your account for our billing team as a priority; they will check every charge against your invoices today and refund anything charged in error. You will get a confirmation by email as soon as it is processed.',
          'I understand how serious this is. Our billing team has been alerted and will review the payments on your account today. If we charged you incorrectly, the refund is issued to the original payment method and you will receive a confirmation.',
        ],
        routine: [
          'Our billing team will take care of this. You can also find all invoices and payment settings under Settings > Billing. If anything still looks off, just reply to this message.',
          'Good question. I have passed this on to our billing team, who will get back to you within one business day with the details.',
        ],
      },
      bug: {
        urgent: [
          'I am sorry — I know how disruptive this is. I have escalated it to our on-call engineers with your details, and we will keep you updated as soon as we know more. In the meantime, please do not re-send or re-create anything; nothing you do should be lost.',
          'Thank you for reporting this so quickly. It is now with our engineering team as a high-priority incident, and we will update you as soon as it is resolved.',
        ],
        routine: [
          'Thanks for the clear report. I have logged it with our product team so they can reproduce and fix it. If you can, reply with your browser or app version and a screenshot — that helps us a lot.',
          'Thanks for letting us know. I have passed this on to our developers; we will let you know when a fix ships.',
        ],
      },
      account: {
        urgent: [
          'I understand this is blocking you, and I am sorry. I have escalated your account to our account team as a priority. To protect your workspace we will verify your identity first, then help you right away.',
          'I am sorry for the trouble this has caused. Your request has been escalated to a senior member of our team, who will contact you today.',
        ],
        routine: [
          'Happy to help. Our account team will take care of this; for security we may ask you to confirm the request from the account\'s email address.',
          'This can be done from Settings > Members, and our team can help if you get stuck. We will follow up by email.',
        ],
      },
      'feature-request': {
        urgent: [
          'Thank you for being so clear about what you need. I have shared your request with our product team and asked someone to contact you before your renewal date to discuss options.',
        ],
        routine: [
          'Thanks for the suggestion! I have added it to our feature request board, where our product team reviews ideas every month.',
          'That is a great idea, and you are not the only one asking. I have passed it on to our product team.',
        ],
      },
      security: {
        urgent: [
          'Thank you for telling us right away. Our security team has been alerted and will review the activity on your account today. Please reset your password and enable two-factor authentication, and do not enter card details on any site linked from an email.',
          'We take this very seriously. I have escalated it to our security team, who will investigate and contact you directly. Until then, please change your password and check the active sessions under Settings > Security.',
        ],
        routine: [
          'Good question. Our security team will send you the details, including our security documentation and data processing agreement.',
          'Thanks for asking. I have passed this to our security team, who will reply with the information your IT team needs.',
        ],
      },
      other: {
        urgent: [
          'I am sorry for the situation this has put you in. I have escalated your message to our management team, who will reply in writing within the deadline you mentioned.',
          'Thank you for your message. It has been forwarded to the responsible team as a priority, and you will receive a written answer within the required time.',
        ],
        routine: [
          'Thank you for your message! I have forwarded it to the right person on our team, who will get back to you soon.',
          'Thanks for writing to us. Someone from our team will follow up shortly.',
        ],
      },
    },
    signoff: 'Best regards,\nLumen Support',
  },
};
