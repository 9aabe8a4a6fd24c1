/**
 * STS `GetCallerIdentity` on the loopback FIS server (`POST /`, AWS query protocol): a
 * form-encoded body `Action=GetCallerIdentity&Version=2011-06-15`, answered with the documented
 * XML, so an STS client whose `endpoint` is the server works, e.g. to check which account the
 * credentials belong to before starting an experiment.
 */
import { randomUUID } from 'node:crypto';

export interface StsIdentity {
  account: string;
  arn: string;
  userId: string;
}

export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** The identity of a role session in `account`, as GitHub's OIDC role assumption gives. */
export function defaultIdentity(account: string): StsIdentity {
  return {
    account,
    arn: `arn:aws:sts::${account}:assumed-role/chaos-gate-ci/GitHubActions`,
    userId: 'AROA3XFRBF535PLBIFPI4:GitHubActions',
  };
}

function xmlEscape(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );
}

export interface StsAnswer {
  status: number;
  xml: string;
}

/** The `<ErrorResponse>` of the query protocol. */
export function stsError(status: number, code: string, message: string): StsAnswer {
  return {
    status,
    xml:
      `<ErrorResponse xmlns="${STS_XMLNS}">\n` +
      `  <Error>\n    <Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>\n` +
      `    <Code>${xmlEscape(code)}</Code>\n    <Message>${xmlEscape(message)}</Message>\n` +
      `  </Error>\n  <RequestId>${randomUUID()}</RequestId>\n</ErrorResponse>\n`,
  };
}

/** Answers a query-protocol request body for STS. */
export function handleSts(body: string, identity: StsIdentity): StsAnswer {
  const form = new URLSearchParams(body);
  const action = form.get('Action');
  if (action !== 'GetCallerIdentity')
    return stsError(
      400,
      'InvalidAction',
      `Could not find operation ${action ?? '(no Action)'} for version ${form.get('Version') ?? ''}`,
    );
  return {
    status: 200,
    xml:
      `<GetCallerIdentityResponse xmlns="${STS_XMLNS}">\n` +
      `  <GetCallerIdentityResult>\n` +
      `    <Arn>${xmlEscape(identity.arn)}</Arn>\n` +
      `    <UserId>${xmlEscape(identity.userId)}</UserId>\n` +
      `    <Account>${xmlEscape(identity.account)}</Account>\n` +
      `  </GetCallerIdentityResult>\n` +
      `  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n` +
      `</GetCallerIdentityResponse>\n`,
  };
}
