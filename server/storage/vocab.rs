//! The closed vocabularies of `domain::vocab` as column types: each is stored as its
//! code in a text column (as `DeriveActiveEnum` with `db_type = "String(None)"` would
//! store it), so entities carry the enum and no migration changes a row. A code the
//! vocabulary does not know reads as a database error naming the column's type.

use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, Value, ValueType, ValueTypeErr};
use sea_orm::{ActiveEnum, ColIdx, ColumnDef, DbErr, IntoActiveValue, QueryResult, TryGetError, TryGetable};

use crate::domain::vocab::*;

/// Gives each vocabulary what an entity's column type needs.
macro_rules! stored {
    ($($name:ident),+ $(,)?) => {$(
        impl sea_orm::strum::IntoEnumIterator for $name {
            type Iterator = std::iter::Copied<std::slice::Iter<'static, $name>>;

            fn iter() -> Self::Iterator {
                $name::ALL.iter().copied()
            }
        }

        impl ActiveEnum for $name {
            type Value = String;
            type ValueVec = Vec<String>;

            fn name() -> sea_orm::sea_query::DynIden {
                sea_orm::sea_query::SeaRc::new(sea_orm::sea_query::Alias::new(stringify!($name)))
            }

            fn to_value(&self) -> String {
                self.code().to_owned()
            }

            fn try_from_value(v: &String) -> Result<Self, DbErr> {
                v.parse().map_err(|e| DbErr::Type(format!("{} {v:?}: {e}", stringify!($name))))
            }

            fn db_type() -> ColumnDef {
                sea_orm::prelude::ColumnTypeTrait::def(ColumnType::String(sea_orm::sea_query::StringLen::None))
            }
        }

        impl From<$name> for Value {
            fn from(v: $name) -> Value {
                Value::String(Some(v.code().to_owned()))
            }
        }

        impl TryGetable for $name {
            fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
                let code = <String as TryGetable>::try_get_by(res, idx)?;
                <$name as ActiveEnum>::try_from_value(&code).map_err(TryGetError::DbErr)
            }
        }

        impl ValueType for $name {
            fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
                let code = <String as ValueType>::try_from(v)?;
                code.parse().map_err(|_| ValueTypeErr)
            }

            fn type_name() -> String {
                stringify!($name).to_owned()
            }

            fn array_type() -> ArrayType {
                ArrayType::String
            }

            fn column_type() -> ColumnType {
                ColumnType::String(sea_orm::sea_query::StringLen::None)
            }
        }

        impl Nullable for $name {
            fn null() -> Value {
                Value::String(None)
            }
        }

        impl IntoActiveValue<$name> for $name {
            fn into_active_value(self) -> sea_orm::ActiveValue<$name> {
                sea_orm::ActiveValue::Set(self)
            }
        }
    )+};
}

stored!(
    Role,
    UnitKind,
    TargetStatus,
    ResultState,
    ProposalSection,
    DocumentKind,
    DocumentState,
    OutboxState,
    MailKind,
    AuditAction,
    FollowUpKind,
    FollowUpState
);
