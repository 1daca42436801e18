//! CSV tables (SPEC §3). Placeholder until the full loader lands.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diag::{Problem, Problems};

#[derive(Debug, Clone)]
pub struct TableSpec {
    pub path: PathBuf,
    pub encoding: Option<String>,
    pub delimiter: u8,
    pub key: String,
}

impl TableSpec {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        TableSpec {
            path: path.into(),
            encoding: None,
            delimiter: b',',
            key: "id".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    fields: Vec<Box<str>>,
}

impl Row {
    pub fn get(&self, column: usize) -> &str {
        self.fields.get(column).map_or("", |f| f)
    }
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| &**f)
    }
}

#[derive(Debug)]
pub struct Table {
    pub name: String,
    pub path: PathBuf,
    pub headers: Vec<String>,
    pub key_column: usize,
    pub rows: Vec<Row>,
    index: HashMap<String, usize>,
}

impl Table {
    pub fn load(campaign_dir: &Path, name: &str, spec: &TableSpec) -> Result<Table, Problems> {
        let file = campaign_dir.join(&spec.path);
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(spec.delimiter)
            .from_path(&file)
            .map_err(|e| Problem::error(format!("cannot read: {e}")).in_file(&spec.path))?;
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| Problem::error(e.to_string()).in_file(&spec.path))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let key_column = headers.iter().position(|h| *h == spec.key).ok_or_else(|| {
            Problem::error(format!("no key column `{}`", spec.key)).in_file(&spec.path)
        })?;
        let mut rows = Vec::new();
        let mut index = HashMap::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| Problem::error(e.to_string()).in_file(&spec.path))?;
            let line = rec.position().map_or(0, |p| p.line() as usize);
            let row = Row {
                line,
                fields: rec.iter().map(Into::into).collect(),
            };
            index.insert(row.get(key_column).to_string(), rows.len());
            rows.push(row);
        }
        Ok(Table {
            name: name.into(),
            path: spec.path.clone(),
            headers,
            key_column,
            rows,
            index,
        })
    }

    pub fn column(&self, header: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == header)
    }

    pub fn key<'a>(&self, row: &'a Row) -> &'a str {
        row.get(self.key_column)
    }

    pub fn find(&self, key: &str) -> Option<&Row> {
        self.index.get(key).map(|&i| &self.rows[i])
    }

    pub fn value<'a>(&'a self, row: &'a Row, header: &str) -> Option<&'a str> {
        self.column(header).map(|c| row.get(c))
    }

    pub fn row_json(&self, row: &Row) -> serde_json::Map<String, serde_json::Value> {
        self.headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), row.get(i).into()))
            .collect()
    }
}
