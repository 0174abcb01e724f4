/** French tickets and replies for the demo pool. */
import { group, type LanguageBank } from './types';

export const fr: LanguageBank = {
  language: 'fr',
  given: ['Camille', 'Julien', 'Élodie', 'Antoine', 'Manon', 'Nicolas', 'Léa', 'Thomas', 'Inès', 'Hugo', 'Chloé', 'François'],
  family: ['Martin', 'Lefèvre', 'Moreau', 'Girard', 'Rousseau', 'Fontaine', 'Chevalier', 'Lambert', 'Bonnet', 'Mercier', 'Dupré', 'Garnier'],
  money: (v) => `${group(v, '\u202F')},00 €`,
  greetings: ['Bonjour,', 'Bonjour à l\'équipe Lumen,', 'Madame, Monsieur,', 'Salut,'],
  closers: ['Merci,\n{given}', 'Cordialement,\n{given}', 'Bien à vous,\n{given}', 'Merci d\'avance,\n{given}'],
  context: [
    'Nous sommes un cabinet de {seats} personnes et utilisons Lumen depuis deux ans.',
    '!J\'ai déjà essayé de me déconnecter et de vider le cache.',
    '!Le problème se produit sur Chrome et sur Safari.',
    '!Tout fonctionnait très bien jusqu\'à mardi dernier.',
  ],
  urgentPush: ['C\'est urgent.', 'Merci de traiter cela aujourd\'hui.', 'Sans solution rapide, nous résilierons notre abonnement.'],
  scenarios: {
    billing: {
      urgent: [
        ['Prélèvement en double', 'Nous avons été prélevés deux fois de {amount} ce mois-ci pour le même abonnement. Merci de rembourser le doublon immédiatement.'],
        ['Compte suspendu alors que la facture est payée', 'Notre espace a été suspendu pour impayé, mais la facture {invoice} a été réglée par virement la semaine dernière. Toute l\'équipe est bloquée.'],
      ],
      routine: [
        ['Numéro de TVA sur les factures', 'Pouvez-vous ajouter notre numéro de TVA intracommunautaire sur les prochaines factures ?'],
        ['Passer à la facturation annuelle', 'Nous souhaitons passer à l\'abonnement annuel. La remise s\'applique-t-elle tout de suite ?'],
      ],
    },
    bug: {
      urgent: [
        ['Calendrier inaccessible pour toute l\'équipe', 'Depuis ce matin, plus personne ne peut ouvrir le calendrier (« Erreur 502 »). Nous avons {n} rendez-vous aujourd\'hui.'],
        ['Impossible d\'envoyer les factures', 'Le bouton « Envoyer la facture » échoue à chaque fois. C\'est la fin du mois et nous avons {n} factures à envoyer aujourd\'hui.'],
      ],
      routine: [
        ['Accents cassés dans l\'export CSV', 'À l\'export CSV, « Hélène » devient « HÃ©lÃ¨ne » dans Excel.'],
        ['Glisser-déposer décale d\'un jour', 'En vue mois, déplacer un événement le dépose parfois un jour plus tard.'],
        ['Application iOS qui plante', 'L\'application iPhone se ferme quand j\'ouvre les réglages des notifications.'],
      ],
    },
    account: {
      urgent: [['Administratrice bloquée', 'Je suis la seule administratrice et je ne reçois pas l\'e-mail de réinitialisation. Les factures doivent être validées aujourd\'hui.']],
      routine: [
        ['Changer l\'adresse e-mail de connexion', 'Je voudrais changer mon adresse e-mail de connexion sans perdre mes données.'],
        ['Supprimer mon compte', 'Merci de supprimer mon compte personnel, je n\'utilise plus Lumen.'],
      ],
    },
    'feature-request': {
      urgent: [],
      routine: [
        ['Suggestion : numéros de semaine', 'Ce serait pratique d\'afficher les numéros de semaine dans le calendrier.'],
        ['Relances de paiement personnalisables', 'Nous aimerions modifier le texte des e-mails de relance pour qu\'ils nous ressemblent.'],
      ],
    },
    security: {
      urgent: [
        ['Connexions suspectes', 'J\'ai reçu {n} alertes de connexion cette nuit depuis un pays où nous n\'avons personne. Ce n\'était pas moi. Bloquez le compte, s\'il vous plaît.'],
        ['E-mail d\'hameçonnage au nom de Lumen', 'Plusieurs collègues ont reçu un e-mail « Lumen Facturation » demandant leurs coordonnées bancaires. L\'une d\'elles les a peut-être saisies.'],
      ],
      routine: [['Hébergement des données', 'Où sont hébergées nos données ? Sommes-nous en conformité avec le RGPD ?']],
    },
    other: {
      urgent: [['Mise en demeure', 'Votre panne a fait perdre une semaine de réservations à notre cabinet. Notre avocat nous conseille de vous demander une explication écrite sous 48 heures.']],
      routine: [
        ['Merci !', 'Juste pour dire que les nouveaux modèles de factures sont superbes. Bravo !'],
        ['Programme partenaire', 'Avez-vous un programme partenaire pour les intégrateurs ?'],
      ],
    },
  },
  replies: {
    greeting: 'Bonjour {name},',
    thanks: ['merci pour votre message concernant « {subject} ».', 'merci de nous avoir contactés au sujet de « {subject} ».'],
    body: {
      billing: {
        urgent: ['Nous sommes vraiment désolés. Notre équipe facturation a été alertée en priorité : elle vérifie aujourd\'hui tous les prélèvements de votre compte et rembourse tout montant prélevé par erreur. Vous recevrez une confirmation par e-mail.'],
        routine: ['Notre équipe facturation s\'en occupe et vous répondra sous un jour ouvré. Vos factures sont aussi disponibles dans Paramètres > Facturation.'],
      },
      bug: {
        urgent: ['Toutes nos excuses, nous savons à quel point c\'est gênant. Le problème a été transmis en priorité à nos ingénieurs d\'astreinte ; nous vous tiendrons informé(e).'],
        routine: ['Merci pour ce signalement précis. Nous l\'avons transmis à l\'équipe produit. Une capture d\'écran et la version de l\'application nous aideraient beaucoup.'],
      },
      account: {
        urgent: ['Nous comprenons que cela vous bloque et nous en sommes désolés. Votre demande est traitée en priorité : nous vérifierons d\'abord votre identité pour protéger le compte, puis nous vous aiderons immédiatement.'],
        routine: ['Avec plaisir. Notre équipe comptes s\'en charge ; par sécurité, nous pourrons vous demander de confirmer depuis l\'adresse du compte.'],
      },
      'feature-request': {
        urgent: ['Merci d\'avoir précisé vos besoins. Nous avons transmis votre demande à l\'équipe produit, qui vous contactera rapidement.'],
        routine: ['Merci pour cette suggestion ! Nous l\'avons ajoutée à notre liste d\'idées, revue chaque mois par l\'équipe produit.'],
      },
      security: {
        urgent: ['Merci de nous avoir prévenus aussi vite. Notre équipe sécurité examine aujourd\'hui l\'activité de votre compte. Changez votre mot de passe, activez la double authentification et ne saisissez jamais vos coordonnées bancaires depuis un lien reçu par e-mail.'],
        routine: ['Bonne question. Notre équipe sécurité vous enverra la documentation détaillée.'],
      },
      other: {
        urgent: ['Nous regrettons cette situation. Votre message a été transmis à la direction, qui vous répondra par écrit dans le délai indiqué.'],
        routine: ['Merci pour votre message ! Nous l\'avons transmis à la bonne personne, qui reviendra vers vous rapidement.'],
      },
    },
    signoff: 'Cordialement,\nLe support Lumen',
  },
};
