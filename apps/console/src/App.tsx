import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, api, onUnauthorized, setCsrfToken } from './api';
import { asApiError } from './hooks';
import { currentRoute, href, match, navigate, useRoute } from './router';
import { SessionContext, sessionValue, useSession } from './session';
import type { SessionAnswer } from './types';
import { ConfirmProvider, ErrorBanner, Loading, ToastProvider } from './ui';
import { LoginPage } from './pages/Login';
import { OverviewPage } from './pages/Overview';
import { BatchesPage } from './pages/Batches';
import { BatchPage } from './pages/Batch';
import { NewBatchPage } from './pages/NewBatch';
import { VouchersPage } from './pages/Vouchers';
import { BillsPage } from './pages/bills/BillsPage';
import { CallbacksPage, DeliveryPage } from './pages/Callbacks';
import { AccountStatementPage, LedgerPage } from './pages/Ledger';
import { AuditPage } from './pages/Audit';
import { MapperPage } from './pages/Mapper';
import { OperatorsPage } from './pages/Operators';
import { AccountPage } from './pages/Account';
import { ReportsPage } from './pages/reports/ReportsPage';

const SESSION = '/console/api/session';

type Boot = { state: 'checking' } | { state: 'out'; error?: ApiError } | { state: 'in'; session: SessionAnswer };

export function App() {
  const [boot, setBoot] = useState<Boot>({ state: 'checking' });
  const route = useRoute();

  const toLogin = useCallback(() => {
    setCsrfToken(null);
    setBoot({ state: 'out' });
    const r = currentRoute();
    if (r.path !== '/login') navigate(`/login?next=${encodeURIComponent(r.full)}`, true);
  }, []);

  useEffect(() => {
    onUnauthorized(toLogin);
    api
      .get<SessionAnswer>(SESSION)
      .then((s) => {
        setCsrfToken(s.csrfToken);
        setBoot({ state: 'in', session: s });
        if (currentRoute().path === '/login') navigate('/', true);
      })
      .catch((e: unknown) => {
        const err = asApiError(e);
        setBoot({ state: 'out', error: err.status === 401 ? undefined : err });
        const r = currentRoute();
        if (r.path !== '/login') navigate(`/login?next=${encodeURIComponent(r.full)}`, true);
      });
    return () => onUnauthorized(null);
  }, [toLogin]);

  const onLogin = useCallback((s: SessionAnswer) => {
    setCsrfToken(s.csrfToken);
    setBoot({ state: 'in', session: s });
    const next = currentRoute().query.get('next');
    navigate(next && next.startsWith('/') && !next.startsWith('/login') ? next : '/', true);
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.del(SESSION);
    } catch {
      // The session may already be gone; the operator is logged out either way.
    }
    setCsrfToken(null);
    setBoot({ state: 'out' });
    navigate('/login', true);
  }, []);

  const session = useMemo(() => (boot.state === 'in' ? sessionValue(boot.session.operator, logout) : null), [boot, logout]);

  return (
    <ToastProvider>
      <ConfirmProvider>
        {boot.state === 'checking' ? (
          <div className="center-page">
            <Loading label="Opening the console…" />
          </div>
        ) : boot.state === 'out' || !session || route.path === '/login' ? (
          <LoginPage onLogin={onLogin} bootError={boot.state === 'out' ? boot.error : undefined} />
        ) : (
          <SessionContext.Provider value={session}>
            <Shell>
              <Page path={route.path} />
            </Shell>
          </SessionContext.Provider>
        )}
      </ConfirmProvider>
    </ToastProvider>
  );
}

function Page({ path }: { path: string }) {
  const { isAdmin } = useSession();
  let m: Record<string, string> | null;
  if (path === '/') return <OverviewPage />;
  if (path === '/batches') return <BatchesPage />;
  if (path === '/batches/new') return <NewBatchPage />;
  if ((m = match('/batches/:id', path))) return <BatchPage batchId={m.id} key={m.id} />;
  if (path === '/reports') return <ReportsPage />;
  if (path === '/vouchers') return <VouchersPage />;
  if (path === '/bills') return <BillsPage />;
  if (path === '/callbacks') return <CallbacksPage />;
  if ((m = match('/callbacks/:id', path))) return <DeliveryPage id={m.id} key={m.id} />;
  if (path === '/ledger') return <LedgerPage />;
  if ((m = match('/ledger/accounts/:id', path))) return <AccountStatementPage accountId={m.id} key={m.id} />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/mapper') return <MapperPage />;
  if (path === '/operators') return isAdmin ? <OperatorsPage /> : <NotAllowed />;
  if (path === '/account') return <AccountPage />;
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. <a href={href('/')}>Go to the overview</a>.
      </p>
    </div>
  );
}

function NotAllowed() {
  return (
    <div className="page">
      <ErrorBanner error={new ApiError('This page is for administrators.', 403, 'FORBIDDEN')} />
    </div>
  );
}

const NAV: { to: string; label: string; id: string; admin?: boolean; external?: boolean }[] = [
  { to: '/', label: 'Overview', id: 'overview' },
  { to: '/batches', label: 'Batches', id: 'batches' },
  { to: '/reports', label: 'Reports', id: 'reports' },
  { to: '/vouchers', label: 'Vouchers', id: 'vouchers' },
  { to: '/bills', label: 'Bills & billers', id: 'bills' },
  { to: '/callbacks', label: 'Callbacks', id: 'callbacks' },
  { to: '/ledger', label: 'Ledger', id: 'ledger' },
  { to: '/audit', label: 'Audit log', id: 'audit' },
  { to: '/mapper', label: 'Account mapper', id: 'mapper' },
  { to: '/operators', label: 'Operators', id: 'operators', admin: true },
  { to: '/console/queues', label: 'Queues', id: 'queues', admin: true, external: true },
];

const ROLE_WORDS: Record<string, string> = {
  viewer: 'Viewer',
  maker: 'Maker',
  checker: 'Checker',
  admin: 'Administrator',
};

function Shell({ children }: { children: ReactNode }) {
  const { operator, isAdmin, logout } = useSession();
  const route = useRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [route.full]);
  const active = (to: string) => (to === '/' ? route.path === '/' : route.path === to || route.path.startsWith(`${to}/`));
  return (
    <div className={`shell ${menuOpen ? 'menu-open' : ''}`}>
      <header className="topbar">
        <button
          type="button"
          className="btn menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((o) => !o)}
          data-testid="menu-button"
        >
          ☰ <span className="sr-only">Menu</span>
        </button>
        <a className="brand" href={href('/')}>
          Payments console
        </a>
        <div className="who" data-testid="operator-info">
          <span className="who-name" data-testid="operator-name">
            {operator.displayName || operator.username}
          </span>
          <span className="badge badge-info" data-testid="operator-role">
            {ROLE_WORDS[operator.role] ?? operator.role}
          </span>
          <span className="who-tenant" title="Tenant" data-testid="operator-tenant">
            {operator.tenantId}
          </span>
          <a className="btn btn-small" href={href('/account')} data-testid="nav-account">
            Change password
          </a>
          <button type="button" className="btn btn-small" onClick={() => void logout()} data-testid="logout-button">
            Log out
          </button>
        </div>
      </header>
      <nav id="main-nav" className="sidenav" aria-label="Main">
        <ul>
          {NAV.filter((n) => !n.admin || isAdmin).map((n) => (
            <li key={n.id}>
              <a
                href={n.external ? n.to : href(n.to)}
                className={!n.external && active(n.to) ? 'active' : undefined}
                aria-current={!n.external && active(n.to) ? 'page' : undefined}
                data-testid={`nav-${n.id}`}
              >
                {n.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="main" id="main">
        {children}
      </main>
    </div>
  );
}
