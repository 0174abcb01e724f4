/** Spanish tickets and replies for the demo pool. */
import { group, type LanguageBank } from './types';

export const es: LanguageBank = {
  language: 'es',
  given: ['Lucía', 'Javier', 'Carmen', 'Mateo', 'Valentina', 'Andrés', 'Sofía', 'Diego', 'Paula', 'Alejandro', 'Elena', 'Raúl'],
  family: ['García', 'Fernández', 'Morales', 'Ruiz', 'Navarro', 'Ortega', 'Jiménez', 'Castro', 'Herrera', 'Vidal', 'Peña', 'Domínguez'],
  money: (v) => `${group(v, '.')},00 €`,
  greetings: ['Hola,', 'Buenos días,', 'Hola equipo de Lumen:', 'Estimados señores:', 'Buenas tardes,'],
  closers: ['Gracias,\n{given}', 'Un saludo,\n{given}', 'Saludos cordiales,\n{given}', 'Muchas gracias de antemano.\n{given}'],
  context: [
    'Somos una clínica con {seats} empleados y usamos Lumen desde hace un año.',
    '!Ya he probado a cerrar sesión y borrar la caché del navegador.',
    '!Le pasa también a mi compañera desde su portátil.',
    '!Todo funcionaba bien hasta la semana pasada.',
  ],
  urgentPush: ['Es urgente, por favor.', 'Necesito una solución hoy mismo.', 'Si no se soluciona, tendremos que cancelar la suscripción.'],
  scenarios: {
    billing: {
      urgent: [
        ['Cobro duplicado', 'Nos han cobrado {amount} dos veces este mes por la misma suscripción. Necesito la devolución cuanto antes, es dinero de las nóminas.'],
        ['Cuenta suspendida aunque hemos pagado', 'Hoy nos han suspendido la cuenta por impago, pero la factura {invoice} se pagó por transferencia hace diez días. Nadie del equipo puede trabajar.'],
      ],
      routine: [
        ['NIF en las facturas', '¿Podéis añadir nuestro NIF a las próximas facturas? Lo necesita la gestoría.'],
        ['Cambiar a facturación anual', 'Queremos pasar al plan anual. ¿El descuento se aplica ya o en la próxima renovación?'],
        ['Duda sobre la factura {invoice}', 'En la factura {invoice} aparecen {seats} licencias, pero solo tenemos {n} usuarios activos. ¿Cómo se cuentan?'],
      ],
    },
    bug: {
      urgent: [
        ['El calendario no carga', 'Desde esta mañana nadie puede abrir el calendario: sale "Error 502". Tenemos {n} citas hoy y no las vemos.'],
        ['Facturas con importes incorrectos', 'Todas las facturas generadas hoy muestran {amount} de total, sin importar las líneas. Algunas ya se han enviado a clientes.'],
      ],
      routine: [
        ['Exportación CSV con tildes rotas', 'Al exportar contactos a CSV, "Muñoz" aparece como "MuÃ±oz" en Excel.'],
        ['La app se cierra en Android', 'La aplicación se cierra al abrir Ajustes > Notificaciones. Versión 4.12.'],
        ['Eventos recurrentes con una hora de diferencia', 'Desde el cambio de hora, los eventos recurrentes salen una hora más tarde para mis compañeros de Canarias.'],
      ],
    },
    account: {
      urgent: [
        ['No puedo entrar en la cuenta de administrador', 'Soy la única administradora y no me llega el correo para restablecer la contraseña. Hoy hay que aprobar facturas y nadie más tiene acceso.'],
        ['Vamos a cancelar', 'Es la tercera vez este mes que se cierra la sesión a todo el equipo y perdemos trabajo. Si no se arregla esta semana, cancelamos las {seats} licencias.'],
      ],
      routine: [
        ['Cambiar el correo de acceso', 'Quiero cambiar el correo con el que inicio sesión. ¿Se puede sin perder los datos?'],
        ['Añadir otro administrador', '¿Cómo hago administrador a otro usuario? Solo veo el rol "miembro".'],
      ],
    },
    'feature-request': {
      urgent: [],
      routine: [
        ['Sugerencia: números de semana', 'Estaría genial ver los números de semana en el calendario.'],
        ['Facturas recurrentes', '¿Tenéis previsto añadir facturas recurrentes? Facturamos lo mismo a {n} clientes cada mes.'],
        ['Página de reservas', '¿Podrían los clientes reservar cita desde una página pública sincronizada con nuestro calendario?'],
      ],
    },
    security: {
      urgent: [
        ['Accesos sospechosos', 'He recibido {n} avisos de inicio de sesión desde un país donde no tenemos a nadie. No fui yo. Por favor, bloqueen la cuenta.'],
        ['Correo de phishing en nombre de Lumen', 'Varios empleados han recibido un correo "de Lumen" pidiendo los datos de la tarjeta. Creo que uno los ha introducido.'],
      ],
      routine: [
        ['¿Tenéis inicio de sesión único (SSO)?', 'Nuestro departamento de IT exige SSO para las herramientas nuevas. ¿Lo soportáis?'],
        ['¿Dónde se guardan los datos?', '¿En qué región se almacenan nuestros datos? ¿Las copias de seguridad están cifradas?'],
      ],
    },
    other: {
      urgent: [['Reclamación formal', 'Vuestro servicio perdió una semana de reservas y nuestros clientes piden compensación. Nuestro abogado nos aconseja pedir una explicación por escrito en 48 horas.']],
      routine: [
        ['¡Gracias!', 'Solo quería decir que las nuevas plantillas de factura quedan genial. ¡Gracias!'],
        ['Programa de partners', 'Somos una pequeña consultora. ¿Tenéis programa de partners o revendedores?'],
      ],
    },
  },
  replies: {
    greeting: 'Hola, {name}:',
    thanks: ['gracias por escribirnos sobre «{subject}».', 'gracias por tu mensaje sobre «{subject}».'],
    body: {
      billing: {
        urgent: ['Sentimos mucho lo ocurrido. Hemos avisado a nuestro equipo de facturación con prioridad: hoy revisarán todos los cobros de tu cuenta y devolverán cualquier importe cobrado por error. Recibirás una confirmación por correo.'],
        routine: ['Nuestro equipo de facturación se encarga de ello y te responderá en un día laborable. También puedes ver tus facturas en Ajustes > Facturación.'],
      },
      bug: {
        urgent: ['Lo sentimos mucho, sabemos lo grave que es. Lo hemos escalado a nuestros ingenieros de guardia y te informaremos en cuanto sepamos más.'],
        routine: ['Gracias por el aviso tan claro. Lo hemos registrado para que el equipo de producto lo reproduzca y lo corrija. Si puedes, envíanos la versión de la app y una captura.'],
      },
      account: {
        urgent: ['Entendemos que esto te bloquea y lo sentimos. Hemos escalado tu caso con prioridad; primero verificaremos tu identidad para proteger la cuenta y después te ayudaremos de inmediato.'],
        routine: ['Con gusto te ayudamos. Nuestro equipo de cuentas se ocupará; por seguridad, puede que te pidamos confirmarlo desde el correo de la cuenta.'],
      },
      'feature-request': {
        urgent: ['Gracias por explicarnos lo que necesitas. Lo hemos compartido con el equipo de producto y alguien te contactará antes de tu renovación.'],
        routine: ['¡Gracias por la sugerencia! La hemos añadido a nuestro tablero de ideas, que el equipo de producto revisa cada mes.'],
      },
      security: {
        urgent: ['Gracias por avisarnos enseguida. Nuestro equipo de seguridad revisará hoy la actividad de tu cuenta. Cambia tu contraseña, activa la verificación en dos pasos y no introduzcas datos de tarjeta en enlaces recibidos por correo.'],
        routine: ['Buena pregunta. Nuestro equipo de seguridad te enviará la documentación con los detalles.'],
      },
      other: {
        urgent: ['Sentimos la situación en la que te encuentras. Hemos trasladado tu mensaje a la dirección, que te responderá por escrito dentro del plazo indicado.'],
        routine: ['¡Gracias por tu mensaje! Lo hemos enviado a la persona adecuada del equipo, que te responderá pronto.'],
      },
    },
    signoff: 'Un saludo,\nSoporte de Lumen',
  },
};
