import type { Credentials } from '../../types';
import { Secret } from '../../ui';

/** The credentials of a new biller or payer FI, which the server shows only once. */
export function CredentialsOnce({ who, credentials, onDone }: { who: string; credentials: Credentials; onDone: () => void }) {
  return (
    <div className="banner banner-warn banner-big" role="alert" data-testid="credentials-once">
      <div className="banner-body">
        <p>
          <strong>Credentials of {who}: shown this once.</strong> Copy them now and hand them over through a secure channel. The server keeps only hashes and
          cannot show them again; lost credentials must be rotated.
        </p>
        <Secret label="API key" value={credentials.apiKey} />
        <Secret label="Client ID" value={credentials.clientId} />
        <Secret label="Client secret" value={credentials.clientSecret} />
        <Secret label="Callback signing secret" value={credentials.callbackSecret} />
        <button type="button" className="btn" onClick={onDone} data-testid="credentials-done">
          I have stored them
        </button>
      </div>
    </div>
  );
}
