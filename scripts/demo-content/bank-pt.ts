/** Portuguese (Brazilian) tickets and replies for the demo pool. */
import { group, type LanguageBank } from './types';

export const pt: LanguageBank = {
  language: 'pt',
  given: ['Ana', 'João', 'Beatriz', 'Rafael', 'Mariana', 'Gustavo', 'Larissa', 'Thiago', 'Fernanda', 'Rodrigo'],
  family: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Carvalho', 'Ribeiro', 'Almeida', 'Gonçalves', 'Araújo', 'Barbosa'],
  money: (v) => `R$ ${group(v, '.')},00`,
  greetings: ['Olá,', 'Bom dia,', 'Oi, pessoal da Lumen,', 'Prezados,'],
  closers: ['Obrigada,\n{given}', 'Abraços,\n{given}', 'Atenciosamente,\n{given}', 'Valeu!\n{given}'],
  context: [
    'Somos uma agência com {seats} pessoas e usamos a Lumen há um ano.',
    '!Já tentei sair e entrar de novo e limpar o cache do navegador.',
    '!Acontece também no celular da minha colega.',
  ],
  urgentPush: ['É urgente!', 'Preciso de uma solução hoje.', 'Se não resolverem, vamos cancelar.'],
  scenarios: {
    billing: {
      urgent: [
        ['Cobrança em duplicidade', 'Fomos cobrados duas vezes no valor de {amount} neste mês pela mesma assinatura. Preciso do estorno urgente.'],
        ['Conta suspensa, mas a fatura está paga', 'Nossa conta foi suspensa por falta de pagamento, mas a fatura {invoice} foi paga por boleto na semana passada.'],
      ],
      routine: [
        ['CNPJ na nota', 'Vocês podem incluir nosso CNPJ nas próximas faturas?'],
        ['Mudar para plano anual', 'Queremos mudar para o plano anual. O desconto vale já?'],
      ],
    },
    bug: {
      urgent: [['Agenda fora do ar', 'Desde cedo ninguém da equipe consegue abrir a agenda, só aparece "Erro 502". Temos {n} atendimentos hoje.']],
      routine: [
        ['Exportação CSV com acentos errados', 'Na exportação CSV, "João" vira "JoÃ£o" no Excel.'],
        ['App Android fecha sozinho', 'O app fecha quando abro Configurações > Notificações.'],
      ],
    },
    account: {
      urgent: [['Vamos cancelar', 'É a terceira vez neste mês que todos são desconectados e perdemos trabalho. Se não resolverem esta semana, cancelamos as {seats} licenças.']],
      routine: [
        ['Transferir a conta', 'Estou saindo da empresa. Como transfiro a conta para minha colega?'],
        ['Adicionar outro administrador', 'Como faço para tornar outro usuário administrador?'],
      ],
    },
    'feature-request': {
      urgent: [],
      routine: [
        ['Sugestão: integração com WhatsApp', 'Seria ótimo enviar lembretes de agendamento pelo WhatsApp.'],
        ['Faturas recorrentes', 'Vocês pensam em ter faturas recorrentes? Cobramos os mesmos {n} clientes todo mês.'],
      ],
    },
    security: {
      urgent: [['Acessos suspeitos', 'Recebi {n} alertas de login de outro país esta madrugada. Não fui eu. Bloqueiem a conta, por favor.']],
      routine: [['Conformidade com a LGPD', 'Vocês têm documentação sobre conformidade com a LGPD? Onde os dados ficam armazenados?']],
    },
    other: {
      urgent: [],
      routine: [
        ['Parabéns!', 'Só queria elogiar o novo visual da agenda. Muito bom!'],
        ['Horário do suporte', 'Qual é o horário de atendimento do suporte no Carnaval?'],
      ],
    },
  },
  replies: {
    greeting: 'Olá, {name}!',
    thanks: ['Obrigado por escrever sobre "{subject}".', 'Obrigado pela sua mensagem sobre "{subject}".'],
    body: {
      billing: {
        urgent: ['Sentimos muito pelo transtorno. Nossa equipe financeira foi avisada com prioridade: hoje ela revisa todas as cobranças da sua conta e estorna qualquer valor cobrado por engano. Você receberá a confirmação por e-mail.'],
        routine: ['Nossa equipe financeira vai cuidar disso e responde em até um dia útil. Suas faturas também ficam em Configurações > Faturamento.'],
      },
      bug: {
        urgent: ['Pedimos desculpas, sabemos o quanto isso atrapalha. Escalamos o caso para os engenheiros de plantão e avisaremos assim que tivermos novidades.'],
        routine: ['Obrigado pelo relato detalhado. Registramos o problema para a equipe de produto. Uma captura de tela e a versão do app ajudam muito.'],
      },
      account: {
        urgent: ['Entendemos a sua frustração e pedimos desculpas. Seu caso foi escalado com prioridade e alguém da equipe vai falar com você hoje.'],
        routine: ['Claro, ajudamos com isso. Por segurança, podemos pedir uma confirmação a partir do e-mail da conta.'],
      },
      'feature-request': {
        urgent: ['Obrigado por explicar o que você precisa. Passamos o pedido para a equipe de produto, que entrará em contato.'],
        routine: ['Obrigado pela sugestão! Ela foi adicionada ao nosso quadro de ideias, que a equipe de produto revisa todo mês.'],
      },
      security: {
        urgent: ['Obrigado por avisar imediatamente. Nossa equipe de segurança vai analisar hoje a atividade da sua conta. Troque sua senha e ative a verificação em duas etapas.'],
        routine: ['Boa pergunta. Nossa equipe de segurança vai enviar a documentação com os detalhes.'],
      },
      other: {
        urgent: ['Lamentamos a situação. Sua mensagem foi encaminhada à diretoria, que responderá por escrito dentro do prazo.'],
        routine: ['Obrigado pela mensagem! Encaminhamos para a pessoa certa da equipe, que responderá em breve.'],
      },
    },
    signoff: 'Abraços,\nSuporte Lumen',
  },
};
